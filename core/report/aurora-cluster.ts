/** Aurora: the DB cluster a member DB instance belongs to (`DBClusterIdentifier`), by reference or by identifier. */
import type { AssemblyIndex } from './assembly-index';
import type { Located } from './located';
import { placeOffSite } from './off-site';

/**
 * The Aurora cluster of a DB instance that is a member of one (`DBClusterIdentifier`), as the
 * coverage guard finds it: by reference (in the instance's stack, through another stack's
 * export or CDK's cross-region export reader), or by the cluster's literal identifier, in
 * any case (RDS keeps identifiers lower case), in the instance's region and account.
 */
export function clusterOfMember(index: AssemblyIndex, member: Located): Located | undefined {
  const value = member.resource.Properties?.DBClusterIdentifier;
  if (member.resource.Type !== 'AWS::RDS::DBInstance' || value === undefined) {
    return undefined;
  }
  const referenced = index.referencedOfType(value, member.stack, 'AWS::RDS::DBCluster');
  if (referenced !== undefined || typeof value !== 'string') {
    return referenced;
  }
  return clustersNamed(index, value).find((cluster) => cluster.stack === member.stack || placeOffSite(cluster.stack, member.stack) === 'no');
}

/** The clusters named as a member's literal identifier where a stack's region or account is not known (environment-agnostic), so either may be its. */
export function clustersMaybeOfMember(index: AssemblyIndex, member: Located): Located[] {
  const value = member.resource.Properties?.DBClusterIdentifier;
  return typeof value !== 'string' ? [] : clustersNamed(index, value)
    .filter((cluster) => cluster.stack !== member.stack && placeOffSite(cluster.stack, member.stack) === 'not known');
}

function clustersNamed(index: AssemblyIndex, identifier: string): Located[] {
  return index.ofType('AWS::RDS::DBCluster').filter((cluster) => typeof cluster.resource.Properties?.DBClusterIdentifier === 'string'
    && cluster.resource.Properties.DBClusterIdentifier.toLowerCase() === identifier.toLowerCase());
}
