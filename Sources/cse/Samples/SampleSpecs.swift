/// The example specs `cse sample-specs` writes; the repository's specs/ holds exactly these.
enum SampleSpecs {
    static let files: [(path: String, text: String)] = [
        ("templates/ubuntu-16.04.yaml", template),
        ("clusters/demo.yaml", cluster),
    ]

    static let template = """
        # The Kubernetes VM template: built once from the Ubuntu cloud image and published in the shared catalog.
        apiVersion: cse/v1
        kind: Template
        metadata:
          name: ubuntu-16.04
        spec:
          os:
            name: ubuntu
            version: "16.04"
          source:
            url: https://cloud-images.ubuntu.com/releases/xenial/release-20171011/ubuntu-16.04-server-cloudimg-amd64.ova
            sha1: 1bddf68820c717e13c6d1acd800fb7b4d197b411
            catalogItem: ubuntu-16.04-server-cloudimg-amd64.ova
          build:
            org: cse
            vdc: cse-vdc
            network: cse-net
            ipAllocationMode: pool
            catalog: cse
            tempVApp: csetmp-u
            cleanup: true
            capture: true
          catalogItem: k8s-u
          diskSizeMB: 0
          versions:
            kubernetes: 1.8.2
            docker: 17.09.0-ce
            weave: 2.0.5
          master:
            cpu: 2
            memoryMB: 2048
          node:
            cpu: 2
            memoryMB: 2048
          rootPassword:
            env: CSE_TEMPLATE_ROOT_PASSWORD

        """

    static let cluster = """
        # A tenant cluster: one master and two worker nodes on the tenant's intranet network.
        apiVersion: cse/v1
        kind: Cluster
        metadata:
          name: demo
          org: org1
        spec:
          vdc: org1-vdc
          template: ubuntu-16.04
          network: intranet
          nodes:
            count: 2

        """
}
