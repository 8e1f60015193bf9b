/// The commented config.yaml that `cse sample-config` prints.
enum SampleConfig {
    enum Labels: String, CaseIterable { case ubuntu, photon }

    static func text(labels: Labels) -> String {
        """
        # cse configuration. Secrets are never written here: give them as {env: VARIABLE} or {file: PATH}.

        # The vCloud Director cse works against, as a system administrator.
        # Leave this section out to run against cse's embedded vCD simulator.
        vcd:
          host: vcd.example.com          # or a full URL, e.g. https://vcd.example.com:8443
          port: 443
          username: administrator        # of org System
          password: {env: CSE_VCD_PASSWORD}
          # api_version: '37.0'          # pin a version vCD offers (kept, with a warning, when vCD marks it
                                         # deprecated); omitted: the highest both speak (36.0-39.0, vCD 10.3-10.6)
          verify: true                   # verify vCD's TLS certificate (false: not checked, logged as a warning)
          # ca_bundle: /etc/ssl/certs/vcd-ca.pem
          log: false                     # log request lines (never bodies with secrets)

        # The broker vCD forwards tenants' /api/cluster requests to (vCD's API-extension protocol).
        amqp:
          host: 127.0.0.1
          port: 5672
          vhost: /
          username: guest
          password: {env: CSE_AMQP_PASSWORD}
          exchange: cse-ext              # durable direct exchange, declared by cse
          routing_key: cse               # also the queue's name
          ssl: false                     # true: TLS (amqps, port 5671 on most brokers), verified against ssl_ca_file
          ssl_accept_all: false          # true turns certificate checks off (logged as a warning)
          # ssl_ca_file: /etc/ssl/certs/broker-ca.pem   # default: the system's trust store
          # ssl_cert_file: /etc/cse/amqp-client.pem     # a client certificate, with its key, when the broker asks
          # ssl_key_file: /etc/cse/amqp-client.key
          prefix: vcd

        # Desired state: a SQLite file (embedded, one `cse run`), or a PostgreSQL database that several
        # `cse run` replicas share (url; path then only places local files: keys, the embedded simulator).
        store:
          path: .cse/store.sqlite
          # url: postgres://cse@127.0.0.1:5432/cse   # ?schema=NAME for a schema of its own
          #   across a network: postgres://cse@db.example:5432/cse?sslmode=verify-full&sslrootcert=db-ca.pem
          #   a client certificate too: ...&sslcert=cse.crt&sslkey=cse.key   # the key readable by cse's user only
          # password: {env: CSE_STORE_PASSWORD}      # when the server asks for one (never in the url)

        service:
          listeners: 2                   # concurrent AMQP consumers
          inflight_per_listener: 16      # tenant requests each consumer serves at once (their writes share commits)
          resync_interval: 300           # seconds between full reconcile passes that repair drift
          log_file: cse.log
          logging_level: info            # trace, debug, info, notice, warning, error, critical
          concurrency:
            global: 32                   # reconcile actions running at once (one per vApp or catalog item)
            per_org: 16                  # of which at most this many for one org's objects
          lease:
            ttl: 15                      # seconds; one replica of `cse run` reconciles, renewing every ttl/3;
                                         # a standby takes over within about ttl after it dies
          # Prometheus /metrics, /healthz (alive) and /readyz (store, vCD, AMQP) of `cse run`; off when absent.
          # http:
          #   listen: 127.0.0.1:9464

        # The template `cse install config.yaml` builds (CSE 0.1's broker section). Specs in specs/ can
        # describe more templates; see `cse sample-specs`.
        broker:
          type: default
          org: cse                       # org with the catalog that holds the templates
          vdc: cse-vdc                   # vdc the template is built in
          network: cse-net               # build network; needs outbound Internet access
          ip_allocation_mode: pool       # dhcp or pool (clusters always use pool)
          catalog: cse
          labels: \(labels == .photon ? "[photon, '1.0']" : "[ubuntu, '16.04']")
        \(labels == .photon ? photonSource : ubuntuSource)
          temp_vapp: \(labels == .photon ? "csetmp-p" : "csetmp-u")
          cleanup: true                  # delete temp_vapp once the template is captured
          capture: true                  # false = keep temp_vapp running for inspection (--no-capture)
          master_template: \(labels == .photon ? "k8s-p" : "k8s-u")
          node_template: \(labels == .photon ? "k8s-p" : "k8s-u")        # must equal master_template
          master_template_disk: 0        # MB; 0 keeps the OVA's disk size
          password: {env: CSE_TEMPLATE_ROOT_PASSWORD}
          # ssh_public_key: ssh-rsa AAAA... admin@example.com
          master_cpu: 2
          master_mem: 2048
          node_cpu: 2
          node_mem: 2048
          # cse_msg_dir: obsolete since CSE 0.2, accepted and ignored

        """
    }

    private static let ubuntuSource = """
          source_ova: https://cloud-images.ubuntu.com/releases/xenial/release-20171011/ubuntu-16.04-server-cloudimg-amd64.ova
          sha1_ova: 1bddf68820c717e13c6d1acd800fb7b4d197b411
          source_ova_name: ubuntu-16.04-server-cloudimg-amd64.ova
        """

    private static let photonSource = """
          source_ova: https://bintray.com/vmware/photon/download_file?file_path=photon-custom-hw11-1.0-62c543d.ova
          sha1_ova: 18c1a6d31545b757d897c61a0c3cc0e54d8aeeba
          source_ova_name: photon-custom-hw11-1.0-62c543d.ova
        """
}
