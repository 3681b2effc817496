# A VPC over two zones: public subnets for the load balancer (and the NAT gateway), private
# subnets for every task and for the SageMaker endpoint's interfaces. Made only once
# images are pushed (var.image_tag): before that nothing runs in it.
#
# Costs (us-east-1 list prices when this was written): S3 and DynamoDB go through gateway
# endpoints, which are free, so segment and video traffic never pays NAT processing. The
# rest (SQS polls, ECR pulls beyond S3's layers, logs, Secrets Manager, SageMaker calls)
# is small but steady. egress = "nat": one NAT gateway, about 33 USD a month plus
# 0.045 USD a GB, and the tasks can reach the internet; egress = "endpoints": six or more
# interface endpoints in two zones, about 7.3 USD a month each per zone (90 USD and up),
# and no internet at all. The NAT gateway is the cheaper default; the endpoints suit an
# account that forbids internet egress. One NAT gateway, not one per zone: a zone's outage
# stops new polls until it returns, which queues absorb.

locals {
  zones = slice(data.aws_availability_zones.available.names, 0, 2)
  nat   = local.running && var.egress == "nat"
  # The interface endpoints the private tasks need without a NAT gateway.
  interface_endpoints = local.running && var.egress == "endpoints" ? toset(concat(
    ["ecr.api", "ecr.dkr", "logs", "sqs", "secretsmanager"],
    var.inference == "sagemaker" ? ["sagemaker.runtime"] : [],
    var.video_worker_launch == "ec2-gpu" ? ["ecs", "ecs-agent", "ecs-telemetry"] : [],
  )) : toset([])
}

data "aws_availability_zones" "available" {
  state = "available"
}

resource "aws_vpc" "main" {
  count                = local.running ? 1 : 0
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = var.prefix }
}

resource "aws_subnet" "public" {
  count             = local.running ? 2 : 0
  vpc_id            = aws_vpc.main[0].id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index)
  availability_zone = local.zones[count.index]
  tags              = { Name = "${var.prefix}-public-${count.index}" }
}

resource "aws_subnet" "private" {
  count             = local.running ? 2 : 0
  vpc_id            = aws_vpc.main[0].id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 10 + count.index)
  availability_zone = local.zones[count.index]
  tags              = { Name = "${var.prefix}-private-${count.index}" }
}

resource "aws_internet_gateway" "main" {
  count  = local.running ? 1 : 0
  vpc_id = aws_vpc.main[0].id
}

resource "aws_route_table" "public" {
  count  = local.running ? 1 : 0
  vpc_id = aws_vpc.main[0].id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main[0].id
  }
}

resource "aws_route_table_association" "public" {
  count          = local.running ? 2 : 0
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_eip" "nat" {
  count  = local.nat ? 1 : 0
  domain = "vpc"
}

resource "aws_nat_gateway" "main" {
  count         = local.nat ? 1 : 0
  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public[0].id
  depends_on    = [aws_internet_gateway.main]
}

resource "aws_route_table" "private" {
  count  = local.running ? 1 : 0
  vpc_id = aws_vpc.main[0].id

  dynamic "route" {
    for_each = local.nat ? [1] : []
    content {
      cidr_block     = "0.0.0.0/0"
      nat_gateway_id = aws_nat_gateway.main[0].id
    }
  }
}

resource "aws_route_table_association" "private" {
  count          = local.running ? 2 : 0
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[0].id
}

resource "aws_vpc_endpoint" "gateway" {
  for_each          = local.running ? toset(["s3", "dynamodb"]) : toset([])
  vpc_id            = aws_vpc.main[0].id
  service_name      = "com.amazonaws.${var.region}.${each.key}"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private[0].id]
}

resource "aws_vpc_endpoint" "interface" {
  for_each            = local.interface_endpoints
  vpc_id              = aws_vpc.main[0].id
  service_name        = "com.amazonaws.${var.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = aws_subnet.private[*].id
  security_group_ids  = [aws_security_group.endpoints[0].id]
  private_dns_enabled = true
}

# Nothing uses the default security group; closed, so nothing can by accident.
resource "aws_default_security_group" "main" {
  count  = local.running ? 1 : 0
  vpc_id = aws_vpc.main[0].id
}

# Rejected connections only: what a misconfigured rule stops, at a few cents a month.
resource "aws_cloudwatch_log_group" "flow" {
  count             = local.running ? 1 : 0
  name              = "/vpc/${var.prefix}/rejected"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "flow" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    resources = ["arn:${local.partition}:logs:${var.region}:${local.account}:log-group:/vpc/${var.prefix}/rejected:*"]
  }
}

resource "aws_iam_role" "flow" {
  count              = local.running ? 1 : 0
  name               = "${var.prefix}-flow-logs"
  assume_role_policy = data.aws_iam_policy_document.assume["flowlogs"].json
}

resource "aws_iam_role_policy" "flow" {
  count  = local.running ? 1 : 0
  name   = "${var.prefix}-flow-logs"
  role   = aws_iam_role.flow[0].id
  policy = data.aws_iam_policy_document.flow.json
}

resource "aws_flow_log" "main" {
  count           = local.running ? 1 : 0
  vpc_id          = aws_vpc.main[0].id
  traffic_type    = "REJECT"
  log_destination = aws_cloudwatch_log_group.flow[0].arn
  iam_role_arn    = aws_iam_role.flow[0].arn
}

# --- Security groups ------------------------------------------------------------------------

resource "aws_security_group" "alb" {
  count       = local.running ? 1 : 0
  name        = "${var.prefix}-alb"
  description = "The web UI's load balancer: HTTPS (and HTTP, redirected) from anywhere."
  vpc_id      = aws_vpc.main[0].id
}

resource "aws_security_group" "web" {
  count       = local.running ? 1 : 0
  name        = "${var.prefix}-web-ui"
  description = "Web UI tasks: port 8000 from the load balancer only."
  vpc_id      = aws_vpc.main[0].id
}

resource "aws_security_group" "workers" {
  count       = local.running ? 1 : 0
  name        = "${var.prefix}-workers"
  description = "Worker tasks and GPU instances: no inbound, HTTPS out."
  vpc_id      = aws_vpc.main[0].id
}

resource "aws_security_group" "inference" {
  count       = local.running ? 1 : 0
  name        = "${var.prefix}-inference"
  description = "The inference container (http) or SageMaker's interfaces: port 8080 from the workers."
  vpc_id      = aws_vpc.main[0].id
}

resource "aws_security_group" "endpoints" {
  count       = local.running && var.egress == "endpoints" ? 1 : 0
  name        = "${var.prefix}-endpoints"
  description = "Interface endpoints: HTTPS from the VPC."
  vpc_id      = aws_vpc.main[0].id
}

resource "aws_vpc_security_group_ingress_rule" "alb" {
  for_each          = local.running ? toset(["80", "443"]) : toset([])
  security_group_id = aws_security_group.alb[0].id
  description       = each.key == "80" ? "HTTP, answered with a redirect to HTTPS" : "HTTPS"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
}

resource "aws_vpc_security_group_egress_rule" "alb_to_web" {
  count                        = local.running ? 1 : 0
  security_group_id            = aws_security_group.alb[0].id
  description                  = "To the web UI tasks"
  referenced_security_group_id = aws_security_group.web[0].id
  ip_protocol                  = "tcp"
  from_port                    = 8000
  to_port                      = 8000
}

resource "aws_vpc_security_group_ingress_rule" "web_from_alb" {
  count                        = local.running ? 1 : 0
  security_group_id            = aws_security_group.web[0].id
  description                  = "From the load balancer"
  referenced_security_group_id = aws_security_group.alb[0].id
  ip_protocol                  = "tcp"
  from_port                    = 8000
  to_port                      = 8000
}

resource "aws_vpc_security_group_ingress_rule" "inference_from_workers" {
  count                        = local.running ? 1 : 0
  security_group_id            = aws_security_group.inference[0].id
  description                  = "From the workers"
  referenced_security_group_id = aws_security_group.workers[0].id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

resource "aws_vpc_security_group_egress_rule" "workers_to_inference" {
  count                        = local.running ? 1 : 0
  security_group_id            = aws_security_group.workers[0].id
  description                  = "To the inference container"
  referenced_security_group_id = aws_security_group.inference[0].id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

# AWS's APIs (S3 and DynamoDB by their gateway endpoints) over HTTPS, nothing else.
resource "aws_vpc_security_group_egress_rule" "https" {
  for_each          = local.running ? toset(["web", "workers", "inference"]) : toset([])
  security_group_id = { web = aws_security_group.web, workers = aws_security_group.workers, inference = aws_security_group.inference }[each.key][0].id
  description       = "HTTPS to AWS's APIs"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_ingress_rule" "endpoints" {
  count             = local.running && var.egress == "endpoints" ? 1 : 0
  security_group_id = aws_security_group.endpoints[0].id
  description       = "HTTPS from the VPC"
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
