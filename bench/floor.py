"""The floor of a cold preview: start Python, load the Pulumi SDK and every class the program uses.

pulumi_gcp loads its modules lazily, so touching each class is what makes this an honest floor.
"""

import pulumi  # noqa: F401
import pulumi_random
from pulumi_gcp import (
    cloudrunv2,
    compute,
    secretmanager,
    serviceaccount,
    servicenetworking,
    sql,
    vpcaccess,
)

USED = (
    compute.Network,
    compute.GlobalAddress,
    servicenetworking.Connection,
    vpcaccess.Connector,
    sql.DatabaseInstance,
    sql.Database,
    sql.User,
    secretmanager.Secret,
    secretmanager.SecretVersion,
    secretmanager.SecretIamMember,
    serviceaccount.Account,
    cloudrunv2.Service,
    cloudrunv2.ServiceIamMember,
    pulumi_random.RandomPassword,
)
