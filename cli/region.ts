/**
 * The region a command's clients work in, resolved before their first AWS call.
 */
import { UsageError } from './usage-error';

/** A client's resolved configuration, as far as the region goes. */
export interface RegionConfigured {
  readonly config: { readonly region: () => Promise<string> };
}

/**
 * Resolves the region of `client` with the SDK's own provider (the one given, else AWS_REGION,
 * the profile's, the instance's). When there is none, a usage error says how to give one
 * (`otherWays`: what else sets it for the command) instead of the SDK's "Region is missing"
 * at the first call. Any other error of the provider is passed on as it is.
 */
export async function requireRegion(client: RegionConfigured, otherWays: string): Promise<string> {
  try {
    return await client.config.region();
  } catch (error) {
    if (error instanceof Error && error.message === 'Region is missing') {
      throw new UsageError(`no AWS region to work in: pass --region <region>, set AWS_REGION, or ${otherWays}`);
    }
    throw error;
  }
}
