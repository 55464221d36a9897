// A REST API you already have, defined with aws-cdk-lib, guarded by scopegate.
//
// scopegate's function is the zip `make dist` builds (the `authorizer` package, its rules and its
// dependencies for Lambda's python3.13), attached as a TokenAuthorizer that guards every method by
// default. /health is public on purpose: AuthorizationType NONE *and* the metadata
// `scopegate: public`, which `scopegate check --cloudformation` asks for before it accepts an
// unguarded method. `npx cdk synth` writes the template that check reads (cdk.out/ScopegateExample.template.json,
// committed as ScopegateExample.template.json beside this app).
import * as fs from "fs";
import * as path from "path";
import { App, CfnResource, Duration, Stack, StackProps } from "aws-cdk-lib";
import * as apigateway from "aws-cdk-lib/aws-apigateway";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";

const REPO = path.resolve(__dirname, "..", "..", "..");

interface ScopegateExampleProps extends StackProps {
  readonly zip: string;
  readonly architecture: lambda.Architecture;
  readonly audience: string;
  readonly tokenIssuer: string;
}

class ScopegateExample extends Stack {
  constructor(scope: Construct, id: string, props: ScopegateExampleProps) {
    super(scope, id, props);

    // scopegate: Handler authorizer.app.lambda_handler is how the tools recognise it
    const scopegate = new lambda.Function(this, "ScopegateFunction", {
      runtime: lambda.Runtime.PYTHON_3_13,
      architecture: props.architecture,
      handler: "authorizer.app.lambda_handler",
      code: lambda.Code.fromAsset(props.zip),
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {
        TOKEN_ISSUER: props.tokenIssuer,
        AUDIENCE: props.audience,
        JWKS_URI: `${props.tokenIssuer}.well-known/jwks.json`,
        POWERTOOLS_SERVICE_NAME: "scopegate",
      },
    });
    const authorizer = new apigateway.TokenAuthorizer(this, "Scopegate", {
      handler: scopegate,
      identitySource: apigateway.IdentitySource.header("Authorization"),
      resultsCacheTtl: Duration.minutes(5), // safe: each policy covers every route of the API
    });

    // your API: every method asks for scopegate unless it says otherwise
    const backend = new lambda.Function(this, "OrdersFunction", {
      runtime: lambda.Runtime.PYTHON_3_13,
      architecture: props.architecture,
      handler: "index.handler",
      code: lambda.Code.fromInline(
        "import json\ndef handler(event, context):\n" +
          "    return {'statusCode': 200, 'body': json.dumps({'client': event['requestContext']['authorizer']['client_id']})}\n",
      ),
    });
    const api = new apigateway.RestApi(this, "Api", {
      restApiName: "orders",
      deployOptions: { stageName: "prod" },
      defaultMethodOptions: { authorizer },
    });
    const orders = new apigateway.LambdaIntegration(backend);
    api.root.addResource("hello").addMethod("GET", orders);
    const list = api.root.addResource("orders");
    list.addMethod("GET", orders);
    list.addMethod("POST", orders);
    const one = list.addResource("{id}");
    one.addMethod("GET", orders);
    one.addMethod("DELETE", orders);
    one.addResource("refunds").addMethod("POST", orders);

    // public on purpose: no authorizer, and the metadata that tells `scopegate check` so
    const health = api.root.addResource("health").addMethod(
      "GET",
      new apigateway.MockIntegration({
        requestTemplates: { "application/json": '{"statusCode": 200}' },
        integrationResponses: [{ statusCode: "200" }],
      }),
      { authorizationType: apigateway.AuthorizationType.NONE, methodResponses: [{ statusCode: "200" }] },
    );
    (health.node.defaultChild as CfnResource).addMetadata("scopegate", "public");
  }
}

const app = new App();
const architecture = String(app.node.tryGetContext("architecture") ?? "x86_64");
if (architecture !== "x86_64" && architecture !== "arm64") {
  throw new Error(`context architecture must be x86_64 or arm64, not ${architecture}`);
}
const zip = String(
  app.node.tryGetContext("scopegateZip") ??
    path.join(REPO, "dist", `scopegate-authorizer-python3.13-${architecture}.zip`),
);
if (!fs.existsSync(zip)) {
  throw new Error(`${zip} does not exist: run \`make dist\` at the repository root (or pass -c scopegateZip=PATH)`);
}
new ScopegateExample(app, "ScopegateExample", {
  zip,
  architecture: architecture === "arm64" ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
  audience: String(app.node.tryGetContext("audience")),
  tokenIssuer: String(app.node.tryGetContext("tokenIssuer")),
});
