"""Cloud SQL for PostgreSQL on private IP only, with the app's database and one built-in user (and
generated password) per client.

Built-in users, not IAM database authentication: the services' contract is DATABASE_USER and
DATABASE_PASSWORD (or a URL) read once at start-up by their pools, and the probe measures that
same login over the VPC path. IAM authentication would need every client to fetch an OAuth token
as the password (valid an hour) or go through a Cloud SQL connector, plus
`cloudsql.iam_authentication` on the instance and roles/cloudsql.instanceUser per account
(https://cloud.google.com/sql/docs/postgres/iam-logins); it stays open to a program of its own.

What a user may do inside the database is not the Admin API's to say: "All users you create using
Cloud SQL are created as part of the cloudsqlsuperuser role" (CREATEROLE, CREATEDB, LOGIN;
https://cloud.google.com/sql/docs/postgres/users), and `google_sql_user` (Pulumi's
gcp.sql.User, https://www.pulumi.com/registry/packages/gcp/api-docs/sql/user/) has no privilege
field. Separate users give each client its own password, its own revocation and its own name in
the connection and pgAudit logs; narrowing privileges (REVOKE, GRANT per schema) is SQL, run by
the app's migrations from inside the VPC.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.options import child_options
from conduit.core import facts, names
from conduit.core.settings import DatabaseSettings

PASSWORD_LENGTH = 32


@dataclass(frozen=True)
class DatabaseUserArgs:
    """One built-in user and the client that alone logs in as it."""

    label: str
    """What its resources are named after (`<name>-<label>-user`); "" for `<name>-user`."""
    name: str
    """The user's name in the instance."""
    settings_key: str = "conduit:database"
    """Where the user's client is configured (where a finding about it points)."""


@dataclass(frozen=True)
class DatabaseUser:
    """A user's name (an output: a reader waits for the user) and its generated password."""

    name: pulumi.Output[str]
    password: pulumi.Output[str]
    """A secret output."""


@dataclass(frozen=True)
class DatabaseArgs:
    """The instance's settings and the network it is private to."""

    settings: DatabaseSettings
    region: str
    network_id: pulumi.Input[str]
    private_services_connection: pulumi.Resource
    """Private IP needs the servicenetworking peering first."""
    probe_connections: int = 0
    """How many connections the validator's probes open at once (a label the budget reads)."""
    probe_connections_key: str = "conduit:successCriteria.concurrentConnections"
    """The settings key `probe_connections` comes from (where the budget's finding points)."""
    settings_key: str = "conduit:database"
    users: tuple[DatabaseUserArgs, ...] | None = None
    """One per client (none when no client logs in); None: one user, `settings.user_name`, for
    a program with one client."""


class Database(pulumi.ComponentResource):
    """Reachable only on its private IP, over TLS, backed up, protected from deletion."""

    connection_name: pulumi.Output[str]
    """`project:region:instance`, for Cloud Run's Cloud SQL volume."""
    private_ip: pulumi.Output[str]
    """The instance's private address in the VPC."""
    database_name: pulumi.Output[str]
    users: dict[str, DatabaseUser]
    """Label -> the user and its password, one per client."""
    ca_certificate: pulumi.Output[str]
    """The instance's server CA certificate (PEM), for clients to verify the server."""

    @property
    def user_name(self) -> pulumi.Output[str]:
        """The first user's name (the only one's, for a program with one client)."""
        return self._first().name

    @property
    def password(self) -> pulumi.Output[str]:
        """The first user's generated password, a secret output."""
        return self._first().password

    def _first(self) -> DatabaseUser:
        if not self.users:
            raise ValueError("this Database has no user: DatabaseArgs.users is empty")
        return next(iter(self.users.values()))

    def __init__(self, name: str, args: DatabaseArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:database:Database", name, {}, opts)
        child = child_options(self, opts)
        db = args.settings
        backups = db.backups
        flags = []
        if db.max_connections is not None:
            flags.append(
                gcp.sql.DatabaseInstanceSettingsDatabaseFlagArgs(
                    name="max_connections", value=str(db.max_connections)
                )
            )

        # Sessions, checkpoints, lock waits and pgAudit on; statements stay out of the logs
        # (cloudsql-audit-logging: Checkov's and Trivy's flag checks).
        flags += [
            gcp.sql.DatabaseInstanceSettingsDatabaseFlagArgs(name=flag, value=value)
            for flag, value in facts.POSTGRES_AUDIT_FLAGS.items()
        ]
        instance = gcp.sql.DatabaseInstance(
            f"{name}-instance",
            database_version=db.version,
            region=args.region,
            deletion_protection=db.deletion_protection,
            settings=gcp.sql.DatabaseInstanceSettingsArgs(
                tier=db.tier,
                edition=db.edition,
                availability_type=db.availability,
                deletion_protection_enabled=db.deletion_protection,
                ip_configuration=gcp.sql.DatabaseInstanceSettingsIpConfigurationArgs(
                    ipv4_enabled=False,
                    private_network=args.network_id,
                    ssl_mode=facts.SSL_MODE_REQUIRED,
                ),
                backup_configuration=gcp.sql.DatabaseInstanceSettingsBackupConfigurationArgs(
                    enabled=backups.enabled,
                    point_in_time_recovery_enabled=backups.point_in_time_recovery,
                    transaction_log_retention_days=backups.transaction_log_retention_days,
                    backup_retention_settings=gcp.sql.DatabaseInstanceSettingsBackupConfigurationBackupRetentionSettingsArgs(
                        retained_backups=backups.retained_backups, retention_unit="COUNT"
                    ),
                ),
                database_flags=flags,
                user_labels=(
                    {names.PROBE_CONNECTIONS_LABEL: str(args.probe_connections)}
                    if args.probe_connections
                    else None
                ),
            ),
            # Pulumi refuses to delete a protected resource (`pulumi destroy`, a replace) until
            # `pulumi state unprotect`: a third guard beside the two deletion protections.
            opts=ResourceOptions.merge(
                child_options(self, opts, [args.private_services_connection]),
                ResourceOptions(protect=db.deletion_protection),
            ),
        )
        database = gcp.sql.Database(
            f"{name}-db", name=db.database_name, instance=instance.name, opts=child
        )
        wanted = args.users
        if wanted is None:
            wanted = (DatabaseUserArgs("", db.user_name, args.settings_key),)
        self.users = {}
        for login in wanted:
            resource = f"{name}-{login.label}" if login.label else name
            password = random.RandomPassword(
                f"{resource}-password", length=PASSWORD_LENGTH, special=False, opts=child
            )
            user = gcp.sql.User(
                f"{resource}-user",
                name=login.name,
                instance=instance.name,
                password=password.result,
                opts=child,
            )
            provenance.declare(user, {"": login.settings_key})
            self.users[login.label] = DatabaseUser(user.name, pulumi.Output.secret(password.result))

        key = args.settings_key
        provenance.declare(
            instance,
            {
                "": key,
                "databaseVersion": f"{key}.version",
                "region": "gcp:region",
                "settings": key,
                "settings.availabilityType": f"{key}.availability",
                "settings.deletionProtectionEnabled": f"{key}.deletionProtection",
                "settings.databaseFlags.max_connections": f"{key}.maxConnections",
                "settings.backupConfiguration": f"{key}.backups",
                "settings.userLabels": args.probe_connections_key,
                f"settings.userLabels.{names.PROBE_CONNECTIONS_LABEL}": args.probe_connections_key,
                "settings.backupConfiguration.pointInTimeRecoveryEnabled": (
                    f"{key}.backups.pointInTimeRecovery"
                ),
                "settings.ipConfiguration.privateNetwork": "conduit:network.privateServicesRange",
            },
        )
        provenance.declare(database, {"": key})

        self.connection_name = instance.connection_name
        self.private_ip = instance.private_ip_address
        self.database_name = database.name
        self.ca_certificate = instance.server_ca_certs.apply(
            lambda certs: certs[0].cert if certs else ""  # type: ignore[arg-type,return-value]
        )
        self.register_outputs(
            {
                "connectionName": instance.connection_name,
                "privateIp": instance.private_ip_address,
                "databaseName": database.name,
                "userNames": [user.name for user in self.users.values()],
            }
        )
