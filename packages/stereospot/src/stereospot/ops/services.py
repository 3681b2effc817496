"""`stereospot ops restart`: every service of the cluster gets fresh tasks, which read the
secrets' current values and the task definitions' images as they start. A worker scaled to
zero stays at zero: a new deployment of no tasks starts none."""

from __future__ import annotations

from typing import Any

from stereospot.ops.outputs import OpsError


def restart(ecs: Any, cluster: str) -> list[str]:
    """AWS's refusals go to the command's own handler, which names code and operation."""
    arns = [
        arn
        for page in ecs.get_paginator("list_services").paginate(cluster=cluster)
        for arn in page["serviceArns"]
    ]
    for arn in arns:
        ecs.update_service(cluster=cluster, service=arn, forceNewDeployment=True)
    if not arns:
        raise OpsError(f"the cluster {cluster} has no services: apply aws-infra first")
    return [arn.rsplit("/", 1)[-1] for arn in arns]
