/**
 * Which AWS Config resource types hold what drctl reads for each of its resource types. A recorder
 * that does not record all of a type's Config types cannot tell every change the scan would see:
 * that type is not covered by Config, and another signal or the sweep must find its changes.
 *
 * What Config never records, whatever the recorder: a target group's target health, listener
 * rules, Route 53 record sets and health checks, alarm states, Lambda event source mappings and
 * concurrency settings, Application Auto Scaling targets. Changes to those come only from
 * CloudTrail (or the event rule) and the sweep.
 */
export const CONFIG_RESOURCE_TYPES: Readonly<Record<string, readonly string[]>> = {
  "load-balancer": [
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::EC2::SecurityGroup",
    "AWS::ACM::Certificate",
  ],
  "autoscaling-group": [
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::AutoScaling::LaunchConfiguration",
    "AWS::EC2::LaunchTemplate",
  ],
  "cloudwatch-alarm": ["AWS::CloudWatch::Alarm"],
  // Config has no resource type for Route 53 health checks.
  "route53-health-check": [],
  "sqs-queue": ["AWS::SQS::Queue"],
  "lambda-function": ["AWS::Lambda::Function", "AWS::SQS::Queue"],
  "rds-instance": ["AWS::RDS::DBInstance"],
  "rds-cluster": ["AWS::RDS::DBCluster", "AWS::RDS::DBInstance", "AWS::RDS::GlobalCluster"],
  "dynamodb-table": ["AWS::DynamoDB::Table"],
  "sns-topic": ["AWS::SNS::Topic"],
  vpc: [
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::NatGateway",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::NetworkInterface",
    "AWS::EC2::EIP",
  ],
  "ebs-volume": ["AWS::EC2::Volume"],
  "classic-load-balancer": ["AWS::ElasticLoadBalancing::LoadBalancer"],
  "apigateway-stage": ["AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage"],
  "msk-cluster": ["AWS::MSK::Cluster"],
};

/** drctl's resource types, in the table's order. */
export const DRCTL_TYPES: readonly string[] = Object.keys(CONFIG_RESOURCE_TYPES);

/**
 * drctl's types a recorder does not cover: those with a Config type it does not record (and those
 * Config has no type for). `recorded` says whether one Config resource type is recorded.
 */
export function typesNotCovered(recorded: (configType: string) => boolean): string[] {
  return DRCTL_TYPES.filter((type) => {
    const configTypes = CONFIG_RESOURCE_TYPES[type] ?? [];
    return configTypes.length === 0 || !configTypes.every(recorded);
  });
}
