/// The example specs `cse sample-specs` writes; the repository's specs/ holds exactly these.
enum SampleSpecs {
    static let files: [(path: String, text: String)] = [
        ("templates/ubuntu-24.04.yaml", template),
        ("clusters/demo.yaml", cluster),
    ]

    static let template = """
        # The Kubernetes VM template: built once from Ubuntu's 24.04 cloud image and published in the shared catalog.
        apiVersion: cse/v1
        kind: Template
        metadata:
          name: ubuntu-24.04
        spec:
          os:
            name: ubuntu
            version: "24.04"
          source:
            # The OVA as uploaded into catalog `cse` by the administrator (Ubuntu publishes it at
            # https://cloud-images.ubuntu.com/releases/noble/release/ubuntu-24.04-server-cloudimg-amd64.ova).
            # To let cse upload it, add `url:` and `sha1:` (the SHA-1 of the file you verified).
            catalogItem: ubuntu-24.04-server-cloudimg-amd64.ova
          build:
            org: cse
            vdc: cse-vdc
            network: cse-net
            ipAllocationMode: pool
            catalog: cse
            tempVApp: csetmp-u24
            cleanup: true
            capture: true
          catalogItem: k8s-u24
          diskSizeMB: 0
          versions:
            # Kubernetes from pkgs.k8s.io (v1.31 repository), containerd.io from Docker's apt repository.
            kubernetes: 1.31.4
            containerd: 1.7.24
            cni:
              plugin: calico
              version: 3.29.1
              # SHA-256 of https://raw.githubusercontent.com/projectcalico/calico/v3.29.1/manifests/calico.yaml
              sha256: ef325a26cb4e0a2d386d0e512c0cf4fd0fa935ac25777b41b0d3737153025a1c
          # Air-gapped clouds name their own sources:
          # packages:
          #   mirror: {url: https://mirror.example.com/kubernetes-1.31/, key: https://mirror.example.com/kubernetes-1.31/Release.key}
          #   registryMirror: https://registry.example.com
          #   proxy: {http: http://proxy.example.com:3128, https: http://proxy.example.com:3128, noProxy: "10.0.0.0/8,.local"}
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
          template: ubuntu-24.04
          network: intranet
          nodes:
            count: 2

        """
}
