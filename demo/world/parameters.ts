import { PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";

/** The application's settings under /app/, one set per region pointing at that region's resources. */
export async function buildParameters(
  ssm: SSMClient,
  values: { dbEndpoint: string; imageId: string; bucket: string; role: "primary" | "standby" },
): Promise<string[]> {
  const parameters: [string, string, "String" | "SecureString"][] = [
    ["/app/db/endpoint", values.dbEndpoint, "String"],
    ["/app/db/password", "demo-password-not-secret", "SecureString"],
    ["/app/ami/latest", values.imageId, "String"],
    ["/app/s3/bucket", values.bucket, "String"],
    ["/app/region/role", values.role, "String"],
  ];
  for (const [Name, Value, Type] of parameters) {
    await ssm.send(new PutParameterCommand({ Name, Value, Type, Overwrite: true }));
  }
  return parameters.map(([name]) => name);
}
