"""pyvcloud 23.0.4 against `cse sim`: run by scripts/pyvcloud-test, not on its own.

Usage: pyvcloud_check.py BASE_URL WORK_DIR

Every step is pyvcloud's own code path (nothing here builds XML or URLs except the small OVA), with the API version
pyvcloud negotiates from /api/versions. Prints one line per step; exits non-zero at the first failure.
"""
import io
import os
import sys
import tarfile
import time
import traceback

import requests
from pyvcloud.vcd.client import (BasicLoginCredentials, Client, EntityType, MetadataDomain, MetadataValueType,
                                 MetadataVisibility, QueryResultFormat, ResourceType)
from pyvcloud.vcd.org import Org
from pyvcloud.vcd.vapp import VApp
from pyvcloud.vcd.vdc import VDC

BASE, WORK = sys.argv[1], sys.argv[2]
step_name = "start"


def step(name):
    global step_name
    step_name = name
    print("pyvcloud-test: " + name, flush=True)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def login(user, org, password):
    # An http:// URI: the simulator listens on loopback without TLS (pyvcloud keeps the scheme it is given).
    # api_version=None: pyvcloud negotiates from /api/versions.
    client = Client(BASE, api_version=None, verify_ssl_certs=False, log_file=os.path.join(WORK, "pyvcloud.log"),
                    log_requests=True, log_headers=False, log_bodies=True)
    client.set_credentials(BasicLoginCredentials(user, org, password))
    return client


def wait(client, task):
    client.get_task_monitor().wait_for_success(task=task, timeout=120, poll_frequency=1)


def small_ova(path):
    """An OVA with one VM and one small disk file, as ovftool would lay it out (descriptor first)."""
    disk = b"\0" * 65536
    ovf = f"""<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
    xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
    xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData">
  <References><File ovf:href="tiny-disk1.vmdk" ovf:id="file1" ovf:size="{len(disk)}"/></References>
  <DiskSection><Info>Virtual disk information</Info>
    <Disk ovf:capacity="1" ovf:capacityAllocationUnits="byte * 2^30" ovf:diskId="vmdisk1" ovf:fileRef="file1"
          ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/></DiskSection>
  <NetworkSection><Info>The list of logical networks</Info><Network ovf:name="VM Network"><Description>net</Description></Network></NetworkSection>
  <VirtualSystem ovf:id="tiny"><Info>A virtual machine</Info><Name>tiny</Name>
    <OperatingSystemSection ovf:id="94"><Info>The kind of installed guest operating system</Info></OperatingSystemSection>
    <VirtualHardwareSection><Info>Virtual hardware requirements</Info>
      <System><vssd:ElementName>Virtual Hardware Family</vssd:ElementName><vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>tiny</vssd:VirtualSystemIdentifier><vssd:VirtualSystemType>vmx-11</vssd:VirtualSystemType></System>
      <Item><rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits><rasd:Description>Number of Virtual CPUs</rasd:Description>
        <rasd:ElementName>1 virtual CPU(s)</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:Description>Memory Size</rasd:Description>
        <rasd:ElementName>512MB of memory</rasd:ElementName><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>512</rasd:VirtualQuantity></Item>
      <Item><rasd:AddressOnParent>0</rasd:AddressOnParent><rasd:ElementName>Hard disk 1</rasd:ElementName>
        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
""".encode()
    with tarfile.open(path, "w") as ova:
        for name, data in (("tiny.ovf", ovf), ("tiny-disk1.vmdk", disk)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            ova.addfile(info, io.BytesIO(data))


def vapp_flow(client, org_name, vdc_name, catalog, template, network, vapp_name):
    """Instantiate, power on/off, undeploy, metadata, query by vdc href, get, delete: as System or as a tenant."""
    org = Org(client, resource=client.get_org_by_name(org_name) if client.is_sysadmin() else client.get_org())
    vdc = VDC(client, resource=org.get_vdc(vdc_name))
    vdc_href = vdc.href

    step(f"{org_name}: instantiate vApp {vapp_name} from {catalog}/{template}")
    vapp_resource = vdc.instantiate_vapp(vapp_name, catalog, template, network=network, fence_mode="bridged",
                                         deploy=False, power_on=False)
    wait(client, vapp_resource.Tasks.Task[0])
    vapp = VApp(client, resource=vdc.get_vapp(vapp_name))
    check(vapp.name == vapp_name, f"get_vapp named {vapp.name}")
    check(len(vapp.get_all_vms()) == 1, "the new vApp has one VM")

    step(f"{org_name}: power on, power off, undeploy")
    wait(client, vapp.power_on())
    vapp.reload()
    check(vapp.is_powered_on(), f"vApp status after power on: {vapp.resource.get('status')}")
    wait(client, vapp.power_off())
    vapp.reload()
    check(vapp.is_powered_off(), f"vApp status after power off: {vapp.resource.get('status')}")
    wait(client, vapp.undeploy())
    vapp.reload()
    check(vapp.resource.get("deployed") == "false", "the vApp is undeployed")

    step(f"{org_name}: metadata set and get")
    wait(client, vapp.set_metadata(MetadataDomain.GENERAL.value, MetadataVisibility.READ_WRITE.value, "pyvcloud.key",
                                   "value 1", MetadataValueType.STRING.value))
    entries = {e.Key.text: e.TypedValue.Value.text for e in getattr(vapp.get_metadata(), "MetadataEntry", [])}
    check(entries.get("pyvcloud.key") == "value 1", f"metadata read back: {entries}")

    step(f"{org_name}: query vApps filtered by the vdc href (pyvcloud encodes the filter)")
    resource_type = ResourceType.ADMIN_VAPP.value if client.is_sysadmin() else ResourceType.VAPP.value
    query = client.get_typed_query(resource_type, query_result_format=QueryResultFormat.RECORDS,
                                   equality_filter=("vdc", vdc_href))
    names = [r.get("name") for r in query.execute()]
    check(vapp_name in names, f"{vapp_name} in the vdc's vApps {names}")

    step(f"{org_name}: get_vapp and delete_vapp")
    check(VApp(client, resource=vdc.get_vapp(vapp_name)).name == vapp_name, "get_vapp again")
    wait(client, vdc.delete_vapp(vapp_name, force=True))
    vdc.reload()
    try:
        vdc.get_vapp(vapp_name)
        raise AssertionError("the vApp is still there after delete_vapp")
    except Exception as error:  # pyvcloud raises EntityNotFoundException
        check("not found" in str(error).lower(), f"get_vapp after delete: {error}")


def main():
    ova_path = os.path.join(WORK, "tiny.ova")
    small_ova(ova_path)

    step("System: login (negotiated version, /cloudapi/1.0.0/sessions/provider)")
    system = login("administrator", "System", "sim-admin")
    version = system.get_api_version()
    check(system.is_sysadmin(), "administrator is sysadmin")
    check(version == "36.0", f"negotiated {version}, expected pyvcloud's newest (36.0), which 10.3 to 10.5 offer")
    print(f"pyvcloud-test: negotiated API {version}", flush=True)

    step("System: orgs, vdcs, catalogs and items")
    orgs = sorted(o.get("name") for o in system.get_org_list())
    check({"System", "cse", "org1", "org2"} <= set(orgs), f"orgs {orgs}")
    cse = Org(system, resource=system.get_org_by_name("cse"))
    check([v["name"] for v in cse.list_vdcs()] == ["cse-vdc"], "cse's vdcs")
    catalogs = sorted(c["name"] for c in cse.list_catalogs())  # as System: every org's catalogs (an adminCatalog query)
    check(catalogs == ["cse", "org1-catalog"], f"catalogs {catalogs}")
    items = [i["name"] for i in cse.list_catalog_items("cse")]
    check("ubuntu-16.04-server-cloudimg-amd64.ova" in items, f"cse's catalog items {items}")

    vapp_flow(system, "cse", "cse-vdc", "cse", "ubuntu-16.04-server-cloudimg-amd64.ova", "cse-net", "pyvcloud-sys")

    step("System: logout")
    system.logout()

    step("tenant alice@org1: login (/cloudapi/1.0.0/sessions)")
    alice = login("alice", "org1", "sim-alice")
    check(not alice.is_sysadmin() and alice.get_api_version() == version, "alice is a tenant at the same version")
    orgs = [o.get("name") for o in alice.get_org_list()]
    check(orgs == ["org1"], f"a tenant sees only its org: {orgs}")
    org1 = Org(alice, resource=alice.get_org())
    check([v["name"] for v in org1.list_vdcs()] == ["org1-vdc"], "org1's vdcs")
    check([c["name"] for c in org1.list_catalogs()] == ["org1-catalog"], "org1's catalogs")

    step("tenant: upload_ovf of a small OVA into org1-catalog")
    org1.upload_ovf("org1-catalog", ova_path, item_name="tiny")
    deadline = time.time() + 120
    while True:
        item = org1.get_catalog_item("org1-catalog", "tiny")
        template = alice.get_resource(item.Entity.get("href"))
        if template.get("status") == "8":  # POWERED_OFF: the template is ready
            break
        check(time.time() < deadline, f"the uploaded template is not ready (status {template.get('status')})")
        time.sleep(1)
    check("tiny" in [i["name"] for i in org1.list_catalog_items("org1-catalog")], "tiny is listed")

    vapp_flow(alice, "org1", "org1-vdc", "org1-catalog", "tiny", "intranet", "pyvcloud-tenant")

    step("tenant: logout; the token no longer works")
    token = alice.get_access_token()
    alice.logout()
    answer = requests.get(BASE + "/api/org", headers={"Authorization": "Bearer " + token,
                                                      "Accept": f"application/*+xml;version={version}"})
    check(answer.status_code == 401, f"after logout: HTTP {answer.status_code}")
    print("pyvcloud-test: every step passed", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        print(f"pyvcloud-test: FAILED at step: {step_name}", file=sys.stderr, flush=True)
        sys.exit(1)
