"""The floor of a cold preview: start Python, load the Pulumi SDK and every class the program uses,
and end without the interpreter's teardown, as `conduit preview` does (conduit.cli.console).

pulumi_gcp loads its modules lazily, so touching each class is what makes this an honest floor.
"""

import os

import pulumi  # noqa: F401
import pulumi_random
from pulumi_gcp import (
    cloudrunv2,
    cloudscheduler,
    compute,
    logging,
    monitoring,
    organizations,
    projects,
    redis,
    secretmanager,
    serviceaccount,
    servicenetworking,
    sql,
    vpcaccess,
)

USED = (
    projects.Service,
    compute.Network,
    compute.GlobalAddress,
    compute.Subnetwork,
    servicenetworking.Connection,
    vpcaccess.Connector,
    sql.DatabaseInstance,
    sql.Database,
    sql.User,
    redis.Instance,
    secretmanager.Secret,
    secretmanager.SecretVersion,
    secretmanager.SecretIamMember,
    serviceaccount.Account,
    cloudrunv2.Service,
    cloudrunv2.ServiceIamMember,
    cloudrunv2.Job,
    cloudrunv2.JobIamMember,
    cloudscheduler.Job,
    logging.Metric,
    monitoring.AlertPolicy,
    monitoring.NotificationChannel,
    monitoring.UptimeCheckConfig,
    monitoring.Dashboard,
    organizations.get_project_output,
    pulumi_random.RandomPassword,
)

os._exit(0)
