import Foundation
import Yams

/// Reads and validates config.yaml, reporting every problem with its file:line:column.
public enum ConfigLoader {
    public static func load(path: String) throws -> ServiceConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw SpecPathError.notFound(path) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationErrors([Diagnostic(SourceLocation(file: path, line: 1, column: 1), "file is not UTF-8 text")])
        }
        return try load(text: text, file: path)
    }

    public static func load(text: String, file: String) throws -> ServiceConfig {
        let sink = DiagnosticSink()
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ValidationErrors([Diagnostic(SpecLoader.location(of: error, in: file), "invalid YAML: \(SpecLoader.problem(of: error))")])
        }
        guard let root else { return ServiceConfig() }
        guard let document = MappingReader(root, file: file, path: "", allowedKeys: ["vcd", "amqp", "store", "service", "broker"], sink: sink) else {
            throw ValidationErrors(sink.diagnostics)
        }
        var config = ServiceConfig()
        let anchor = PathAnchor(configFile: file)
        config.vcd = document.mapping("vcd", allowedKeys: ["host", "port", "username", "password", "api_version", "verify", "ca_bundle", "log"]).flatMap { readVCD($0, anchor: anchor) }
        config.amqp = document.mapping("amqp", allowedKeys: [
            "host", "port", "vhost", "username", "password", "exchange", "routing_key", "ssl", "ssl_accept_all", "ssl_ca_file", "ssl_cert_file",
            "ssl_key_file", "prefix",
        ]).flatMap(readAMQP)
        if let password = config.amqp?.password { config.amqp?.password = anchor.resolve(password) }
        if let store = document.mapping("store", allowedKeys: ["path", "url", "password"]) {
            config.store.path = store.string("path").map(anchor.resolve) ?? StoreConfig.defaultPath
            if let url = store.string("url") {
                if URLComponents(string: url)?.password != nil {
                    // Config files hold references to secrets, never secrets; the value is not repeated.
                    store.report("url", "'store.url' must not hold a password: give it as store.password: {env: NAME} or {file: PATH}")
                } else if PostgresURL.isPostgres(url) {
                    // The store's own parser, so that every mistake it would refuse when the store opens is reported here,
                    // at its line (its reasons never repeat a password).
                    do throws(PostgresURLError) {
                        _ = try PostgresURL(parsing: url)
                        config.store.url = Self.anchoringFiles(of: url, with: anchor)
                    } catch {
                        store.report("url", "'store.url': \(error.reason)")
                    }
                } else {
                    // The value is not repeated: it may hold a password.
                    store.report("url", "'store.url' must be a PostgreSQL URL: postgres://USER@HOST:PORT/DATABASE")
                }
            }
            config.store.password = store.secret("password").map(anchor.resolve)
        }
        if let service = document.mapping("service", allowedKeys: ["listeners", "inflight_per_listener", "resync_interval", "log_file", "logging_level",
                                                                   "concurrency", "http", "lease"]) {
            config.service.listeners = service.int("listeners", range: 1...64) ?? config.service.listeners
            config.service.inFlightPerListener = service.int("inflight_per_listener", range: 1...256) ?? config.service.inFlightPerListener
            config.service.resyncIntervalSeconds = service.int("resync_interval", range: 5...86_400) ?? config.service.resyncIntervalSeconds
            config.service.logFile = service.string("log_file").map(anchor.resolve) ?? config.service.logFile
            if let lease = service.mapping("lease", allowedKeys: ["ttl"]) {
                config.service.leaseTTLSeconds = lease.int("ttl", range: 2...3600) ?? config.service.leaseTTLSeconds
            }
            if let concurrency = service.mapping("concurrency", allowedKeys: ["global", "per_org"]) {
                config.service.concurrency.global = concurrency.int("global", range: 1...1024) ?? config.service.concurrency.global
                config.service.concurrency.perOrg = concurrency.int("per_org", range: 1...1024) ?? config.service.concurrency.perOrg
            }
            if let http = service.mapping("http", allowedKeys: ["listen"]), let listen = http.string("listen", required: true) {
                switch HTTPListen.parse(listen) {
                case .success(let address): config.service.httpListen = address
                case .failure(let error): http.report("listen", "'service.http.listen': \(error)")
                }
            }
            if let level = service.string("logging_level") {
                if ServiceSettings.logLevels.contains(level) {
                    config.service.logLevel = level
                } else {
                    service.report("logging_level", "'service.logging_level' must be one of \(ServiceSettings.logLevels.joined(separator: ", ")), found '\(level)'")
                }
            }
        }
        if let broker = document.mapping("broker", allowedKeys: BrokerSection.keys) {
            config.broker = BrokerSection(reader: broker).template()
        }
        if !sink.isEmpty { throw ValidationErrors(sink.diagnostics) }
        return config
    }

    private static func readVCD(_ reader: MappingReader, anchor: PathAnchor) -> VCDConfig? {
        let host = reader.string("host", required: true)
        let username = reader.string("username", required: true)
        let password = reader.secret("password", required: true).map(anchor.resolve)
        let port = reader.int("port", range: 1...65_535)
        let apiVersion = reader.string("api_version")
        let verify = reader.bool("verify")
        let caBundle = reader.string("ca_bundle").map(anchor.resolve)
        let log = reader.bool("log")
        guard let host, let username, let password else { return nil }
        return VCDConfig(host: host, port: port ?? 443, username: username, password: password, apiVersion: apiVersion,
                         verify: verify ?? true, caBundle: caBundle, logWire: log ?? false)
    }

    private static func readAMQP(_ reader: MappingReader) -> AMQPConfig? {
        let host = reader.string("host", required: true)
        let username = reader.string("username", required: true)
        let password = reader.secret("password", required: true)
        let port = reader.int("port", range: 1...65_535)
        let vhost = reader.string("vhost")
        let exchange = reader.string("exchange")
        let routingKey = reader.string("routing_key")
        let ssl = reader.bool("ssl")
        let acceptAll = reader.bool("ssl_accept_all")
        let caFile = reader.string("ssl_ca_file")
        let certFile = reader.string("ssl_cert_file")
        let keyFile = reader.string("ssl_key_file")
        let prefix = reader.string("prefix")
        if (certFile == nil) != (keyFile == nil) {
            reader.report(certFile == nil ? "ssl_key_file" : "ssl_cert_file", "'amqp.ssl_cert_file' and 'amqp.ssl_key_file' go together: give both or neither")
        }
        if ssl != true, caFile != nil || certFile != nil {
            reader.report(caFile != nil ? "ssl_ca_file" : "ssl_cert_file", "TLS files are given but 'amqp.ssl' is not true")
        }
        guard let host, let username, let password else { return nil }
        return AMQPConfig(host: host, port: port ?? 5672, vhost: vhost ?? "/", username: username, password: password,
                          exchange: exchange ?? "cse-ext", routingKey: routingKey ?? "cse", ssl: ssl ?? false,
                          sslAcceptAll: acceptAll ?? false, sslCAFile: caFile, sslCertFile: certFile, sslKeyFile: keyFile,
                          prefix: prefix ?? "vcd")
    }
}

extension ConfigLoader {
    /// `store.url` with its relative files (`sslrootcert=`, `sslcert=`, `sslkey=`) taken from the config file's folder, as
    /// every path in the file is.
    static func anchoringFiles(of url: String, with anchor: PathAnchor) -> String {
        let files = PostgresURL.fileParameters
        guard var components = URLComponents(string: url), let items = components.queryItems,
              items.contains(where: { files.contains($0.name) }) else { return url }
        components.queryItems = items.map { item in
            guard files.contains(item.name), let value = item.value, !value.isEmpty else { return item }
            return URLQueryItem(name: item.name, value: anchor.resolve(value))
        }
        return components.string ?? url
    }
}

/// Relative paths in a config file are taken from the file's folder, not from wherever cse was started
/// (`cse apply specs --config ../prod/config.yaml` must find prod's store, not make a new one here).
struct PathAnchor {
    let directory: String

    init(configFile: String) {
        directory = (configFile as NSString).deletingLastPathComponent
    }

    func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/"), !path.hasPrefix("~"), !directory.isEmpty else { return path }
        return (directory as NSString).appendingPathComponent(path)
    }

    func resolve(_ secret: SecretReference) -> SecretReference {
        if case .file(let path) = secret { return .file(resolve(path)) }
        return secret
    }
}
