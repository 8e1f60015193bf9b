import CLibXML2
import Foundation

/// vCD's own XML schemas (the published vcd-api-schemas: `all.xsd` and `catalog.xml` in one directory), loaded
/// once with libxml2 and used to validate request bodies as vCD does with JAXB. The parsed schema is read-only
/// and shared; every validation gets its own context, so any thread may validate.
public final class SchemaValidator: @unchecked Sendable {
    public let directory: String
    private let schema: xmlSchemaPtr

    /// The environment variable that turns validation on in simulators started without `--schemas`.
    public static let environmentVariable = "CSE_SIM_SCHEMAS"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var loaded: [String: SchemaValidator] = [:]

    private init(directory: String, schema: xmlSchemaPtr) {
        self.directory = directory
        self.schema = schema
    }

    /// The schemas in `directory` (relative paths resolve against the working directory); parsed on first use
    /// and kept for the life of the process.
    public static func load(directory: String) throws -> SchemaValidator {
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        lock.lock()
        defer { lock.unlock() }
        if let validator = loaded[absolute] { return validator }
        let entry = absolute + "/all.xsd"
        let catalog = absolute + "/catalog.xml"
        for file in [entry, catalog] where !FileManager.default.fileExists(atPath: file) {
            throw SimSetupError("schema directory \(directory) has no \(URL(fileURLWithPath: file).lastPathComponent) (expected vCD's vcd-api-schemas)")
        }
        xmlInitParser()
        // The catalog maps the OVF/CIM schemas' URLs to local copies: imports resolve without the network.
        guard xmlLoadCatalog(catalog) == 0 else { throw SimSetupError("libxml2 cannot load the XML catalog \(catalog)") }
        // libxml2 keeps the pointer and writes through it during the parse: heap memory, not an inout temporary.
        let errors = ErrorBuffer()
        guard let parser = xmlSchemaNewParserCtxt(entry) else { throw SimSetupError("libxml2 cannot open \(entry)") }
        defer { xmlSchemaFreeParserCtxt(parser) }
        cse_xml_schema_parser_collect(parser, errors.pointer)
        guard let schema = withExtendedLifetime(errors, { xmlSchemaParse(parser) }) else {
            throw SimSetupError("the schemas in \(directory) do not parse: \(errors.message)")
        }
        let validator = SchemaValidator(directory: absolute, schema: schema)
        loaded[absolute] = validator
        return validator
    }

    /// The validator named by `$CSE_SIM_SCHEMAS`, nil when it is unset or empty.
    public static func fromEnvironment() throws -> SchemaValidator? {
        guard let directory = ProcessInfo.processInfo.environment[environmentVariable], !directory.isEmpty else { return nil }
        return try load(directory: directory)
    }

    /// Why `body` is not a valid document of vCD's schemas (libxml2's message, with its line), nil when it is.
    public func problem(in body: Data) -> String? {
        let document: xmlDocPtr? = body.withUnsafeBytes { raw in
            raw.baseAddress.flatMap { cse_xml_read_memory($0.assumingMemoryBound(to: CChar.self), Int32(raw.count)) }
        }
        guard let document else { return "the body is not well-formed XML" }
        defer { xmlFreeDoc(document) }
        guard let context = xmlSchemaNewValidCtxt(schema) else { return "libxml2 could not create a validation context" }
        defer { xmlSchemaFreeValidCtxt(context) }
        let errors = ErrorBuffer()
        cse_xml_schema_valid_collect(context, errors.pointer)
        let result = withExtendedLifetime(errors) { xmlSchemaValidateDoc(context, document) }
        if result == 0 { return nil }
        return errors.pointer.pointee.count > 0 ? "line \(errors.pointer.pointee.line): \(errors.message)" : "the body does not validate (libxml2 code \(result))"
    }
}

/// Where libxml2's error callback writes the first error: allocated memory that outlives every call that
/// registers it (a `&local` argument would only be valid during the registering call).
private final class ErrorBuffer {
    let pointer: UnsafeMutablePointer<cse_xml_errors>

    init() {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: cse_xml_errors())
    }

    deinit {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }

    var message: String {
        let text = withUnsafeBytes(of: &pointer.pointee.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
