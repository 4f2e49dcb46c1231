import type { RuleInfo } from "../core/finding.js";

const pairRule = (
  id: string,
  severity: RuleInfo["severity"],
  title: string,
  compares: string,
  rationale: string,
  remediation: string,
): RuleInfo => ({
  id: `pair.${id}`,
  resourceType: "pair",
  severity,
  title,
  compares,
  rationale,
  remediation,
});

/** Problems with a pair itself, found while discovering pairs; none of them stops the scan. */
export const PAIR_RULES = {
  secondaryArnMissing: pairRule(
    "secondary-arn-missing",
    "high",
    "secondaryARN tag missing or empty",
    "a primary tagged enable=true and isPrimary=true without a secondaryARN value",
    "drctl cannot know which load balancer takes over, so nothing about the standby is checked.",
    "Tag the primary with secondaryARN=<ARN of the standby load balancer>.",
  ),
  secondaryArnMalformed: pairRule(
    "secondary-arn-malformed",
    "high",
    "secondaryARN is not a valid ARN",
    "the secondaryARN tag value, parsed as an ARN",
    "A typo in the tag silently removes the pair from every check.",
    "Correct the tag value; the finding says which part of the ARN is wrong.",
  ),
  notALoadBalancer: pairRule(
    "secondary-not-load-balancer",
    "high",
    "secondaryARN names something other than a load balancer",
    "the service and resource type of the secondaryARN",
    "A target group or listener ARN in the tag points the pair at the wrong thing.",
    "Use the standby load balancer's ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app|net/NAME/ID).",
  ),
  selfReference: pairRule(
    "self-reference",
    "high",
    "Pair points at its own primary",
    "whether the secondaryARN is the primary's own ARN, or two primaries name each other",
    "A primary that is its own standby has no standby at all.",
    "Set secondaryARN to the load balancer in the standby region.",
  ),
  sameRegion: pairRule(
    "same-region",
    "high",
    "Standby in the same region",
    "the region of the standby's ARN against the primary's",
    "A standby in the primary's region fails with it in a regional outage.",
    "Point secondaryARN at a load balancer in the DR region.",
  ),
  claimedTwice: pairRule(
    "standby-claimed-twice",
    "high",
    "Two primaries claim one standby",
    "whether the same standby ARN is named by more than one primary",
    "One standby cannot take over two different services; one of the tags is probably a copy-paste error.",
    "Give each primary its own standby and correct the secondaryARN tags.",
  ),
  standbyNotFound: pairRule(
    "standby-not-found",
    "critical",
    "Standby load balancer not found",
    "whether the load balancer the secondaryARN names exists",
    "There is nothing to fail over to.",
    "Create the standby load balancer, or correct the tag if it was recreated with a new ARN.",
  ),
  typeMismatch: pairRule(
    "type-mismatch",
    "critical",
    "Primary and standby are of different types",
    "the Type of both load balancers (application or network)",
    "An ALB and an NLB differ in listeners, protocols and features; the standby cannot serve the same traffic. Nothing else is compared for such a pair.",
    "Recreate the standby with the primary's type.",
  ),
  unreadable: pairRule(
    "unreadable",
    "high",
    "Pair could not be read",
    "whether drctl could read both load balancers (access denied, throttled to exhaustion, ...)",
    "A pair that cannot be read cannot be proven ready.",
    "Grant the permissions in the README to the scanning role in both accounts and regions, then scan again.",
  ),
} as const;
