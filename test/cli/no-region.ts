/**
 * Runs `body` with no AWS region anywhere the SDK's default region provider looks: no
 * AWS_REGION, no profile or config file, and the instance metadata service turned off.
 */
export async function withoutRegion<T>(body: () => Promise<T>): Promise<T> {
  const names = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED'];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) {
    delete process.env[name];
  }
  process.env.AWS_CONFIG_FILE = '/nonexistent/cdk-backup-dr-test/config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/cdk-backup-dr-test/credentials';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  try {
    return await body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  }
}
