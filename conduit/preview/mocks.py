"""Provider outputs shaped like Google's, so outputs and stack policies see realistic values."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pulumi

from conduit.core import facts

Outputs = dict[str, Any]


def _suffix(seed: str, length: int = 7) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


class GcpMocks(pulumi.runtime.Mocks):
    """Deterministic stand-ins for the gcp and random providers: state is inputs + computed."""

    def __init__(self, project: str, region: str) -> None:
        self.project = project
        self.region = region
        self._computed: dict[str, Callable[[str, Outputs], Outputs]] = {
            "gcp:compute/network:Network": self._network,
            "gcp:compute/globalAddress:GlobalAddress": self._global_address,
            "gcp:compute/subnetwork:Subnetwork": self._subnetwork,
            "gcp:servicenetworking/connection:Connection": self._psa_connection,
            "gcp:vpcaccess/connector:Connector": self._connector,
            "gcp:sql/databaseInstance:DatabaseInstance": self._sql_instance,
            "gcp:sql/database:Database": self._sql_child,
            "gcp:sql/user:User": self._sql_child,
            "gcp:secretmanager/secret:Secret": self._secret,
            "gcp:secretmanager/secretVersion:SecretVersion": self._secret_version,
            "gcp:serviceaccount/account:Account": self._service_account,
            "gcp:cloudrunv2/service:Service": self._run_service,
            "gcp:cloudrunv2/job:Job": self._run_job,
            "gcp:redis/instance:Instance": self._redis,
            "random:index/randomPassword:RandomPassword": self._random_password,
            "gcp:monitoring/notificationChannel:NotificationChannel": self._monitoring_named(
                "notificationChannels"
            ),
            "gcp:monitoring/alertPolicy:AlertPolicy": self._monitoring_named("alertPolicies"),
            "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": self._uptime_check,
        }

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, Outputs]:
        state = dict(args.inputs)
        state.setdefault("name", f"{args.name}-{_suffix(args.name)}")
        if "project" not in state and args.typ.startswith("gcp:"):
            state["project"] = self.project
        computed = self._computed.get(args.typ)
        extra = computed(args.name, state) if computed else {}
        state.update(extra)
        resource_id = state.pop("__id", None) or state.get("id") or f"{args.name}-id"
        state.pop("id", None)
        return resource_id, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        if args.token == "gcp:organizations/getProject:getProject":
            # A project number is 12 digits; this one is derived from the id, never a real one.
            number = str(int(_suffix(self.project, 10), 16))[:12].rjust(12, "1")
            return {"projectId": self.project, "number": number, "name": self.project}, []
        return {}, []

    def _monitoring_named(self, collection: str) -> Callable[[str, Outputs], Outputs]:
        """Monitoring names its resources `projects/{project}/{collection}/{numeric id}`."""

        def computed(name: str, _state: Outputs) -> Outputs:
            link = f"projects/{self.project}/{collection}/{int(_suffix(name, 12), 16)}"
            return {"__id": link, "name": link}

        return computed

    def _uptime_check(self, name: str, _state: Outputs) -> Outputs:
        check_id = f"{name}-{_suffix(name, 6)}"
        link = f"projects/{self.project}/uptimeCheckConfigs/{check_id}"
        return {"__id": link, "name": link, "uptimeCheckId": check_id}

    def _location(self, state: Outputs) -> str:
        return state.get("region") or state.get("location") or self.region

    def _network(self, _name: str, state: Outputs) -> Outputs:
        link = f"projects/{self.project}/global/networks/{state['name']}"
        return {"__id": link, "selfLink": f"https://www.googleapis.com/compute/v1/{link}"}

    def _global_address(self, _name: str, state: Outputs) -> Outputs:
        link = f"projects/{self.project}/global/addresses/{state['name']}"
        return {"__id": link, "selfLink": f"https://www.googleapis.com/compute/v1/{link}"}

    def _subnetwork(self, _name: str, state: Outputs) -> Outputs:
        link = (
            f"projects/{self.project}/regions/{self._location(state)}/subnetworks/{state['name']}"
        )
        first = state.get("ipCidrRange", "0.0.0.0/32").split("/")[0].rsplit(".", 1)
        return {
            "__id": link,
            "selfLink": f"https://www.googleapis.com/compute/v1/{link}",
            "gatewayAddress": f"{first[0]}.{int(first[1]) + 1}",
        }

    def _psa_connection(self, _name: str, state: Outputs) -> Outputs:
        state.pop("name", None)
        return {
            "__id": f"{state.get('network')}:{state.get('service')}",
            "peering": "servicenetworking-googleapis-com",
        }

    def _connector(self, _name: str, state: Outputs) -> Outputs:
        link = (
            f"projects/{self.project}/locations/{self._location(state)}/connectors/{state['name']}"
        )
        return {
            "__id": link,
            "selfLink": link,
            "state": "READY",
            "connectedProjects": [self.project],
        }

    def _sql_instance(self, name: str, state: Outputs) -> Outputs:
        region = self._location(state)
        ip_config = (state.get("settings") or {}).get("ipConfiguration") or {}
        addresses = [{"type": "PRIVATE", "ipAddress": "10.60.0.3"}]
        if ip_config.get("ipv4Enabled", True):
            addresses.append({"type": "PRIMARY", "ipAddress": "34.0.0.10"})
        return {
            "__id": state["name"],
            "connectionName": f"{self.project}:{region}:{state['name']}",
            "privateIpAddress": "10.60.0.3",
            "publicIpAddress": next(
                (a["ipAddress"] for a in addresses if a["type"] == "PRIMARY"), ""
            ),
            "ipAddresses": addresses,
            "firstIpAddress": addresses[0]["ipAddress"],
            "selfLink": f"https://sqladmin.googleapis.com/sql/v1beta4/projects/{self.project}"
            f"/instances/{state['name']}",
            "serviceAccountEmailAddress": (
                f"p{_suffix(name, 12)}@gcp-sa-cloud-sql.iam.gserviceaccount.com"
            ),
            # Every Cloud SQL instance has a server CA (serverCaCerts, read by the probe job): an
            # output missing from the state is unknown in the next preview, a change to its job.
            "serverCaCerts": [
                {
                    "cert": "-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----\n",
                    "commonName": "CN=Google Cloud SQL Server CA",
                    "sha1Fingerprint": _suffix(name, 40),
                }
            ],
        }

    def _sql_child(self, _name: str, state: Outputs) -> Outputs:
        return {"__id": f"{state.get('instance')}/{state['name']}"}

    def _secret(self, _name: str, state: Outputs) -> Outputs:
        secret_name = f"projects/{self.project}/secrets/{state.get('secretId')}"
        return {"__id": secret_name, "name": secret_name}

    def _secret_version(self, _name: str, state: Outputs) -> Outputs:
        version = f"{state.get('secret')}/versions/1"
        state.pop("name", None)
        return {"__id": version, "name": version, "version": "1", "enabled": True}

    def _service_account(self, _name: str, state: Outputs) -> Outputs:
        email = f"{state.get('accountId')}@{self.project}.iam.gserviceaccount.com"
        return {
            "__id": f"projects/{self.project}/serviceAccounts/{email}",
            "email": email,
            "member": f"serviceAccount:{email}",
            "uniqueId": str(int(_suffix(email, 15), 16)),
        }

    def _run_service(self, name: str, state: Outputs) -> Outputs:
        location = self._location(state)
        return {
            "__id": f"projects/{self.project}/locations/{location}/services/{state['name']}",
            "uri": f"https://{state['name']}-{_suffix(name, 10)}-uc.a.run.app",
            "urls": [f"https://{state['name']}-{_suffix(name, 10)}-uc.a.run.app"],
            "latestReadyRevision": f"{state['name']}-00001-abc",
            "latestCreatedRevision": f"{state['name']}-00001-abc",
            "terminalConditions": [{"type": "Ready", "state": "CONDITION_SUCCEEDED"}],
        }

    def _run_job(self, _name: str, state: Outputs) -> Outputs:
        location = self._location(state)
        return {"__id": f"projects/{self.project}/locations/{location}/jobs/{state['name']}"}

    def _redis(self, name: str, state: Outputs) -> Outputs:
        # Memorystore listens on 6378 with TLS, 6379 without; AUTH and CA only when turned on.
        tls = state.get("transitEncryptionMode") == "SERVER_AUTHENTICATION"
        extra: Outputs = {
            "__id": f"projects/{self.project}/locations/{self._location(state)}/instances/"
            f"{state['name']}",
            "host": "10.60.1.4",
            "port": facts.REDIS_PORT_TLS if tls else facts.REDIS_PORT,
            "currentLocationId": f"{self._location(state)}-a",
            "serverCaCerts": [],
        }
        if tls:
            extra["serverCaCerts"] = [
                {
                    "serialNumber": "0",
                    "cert": "-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----\n",
                    "sha1Fingerprint": _suffix(name, 40),
                }
            ]
        if state.get("authEnabled"):
            seed = hashlib.sha256(f"conduit-mock-redis-auth:{name}".encode()).hexdigest()
            extra["authString"] = seed[:36]
        return extra

    def _random_password(self, name: str, state: Outputs) -> Outputs:
        state.pop("name", None)
        length = int(state.get("length", 32))
        seed = hashlib.sha256(f"conduit-mock-password:{name}".encode()).hexdigest()
        return {"__id": "none", "result": (seed * 4)[:length]}
