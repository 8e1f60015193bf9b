#ifndef CSE_CLIBXML2_SHIM_H
#define CSE_CLIBXML2_SHIM_H

// Debian builds libxml2 with ICU, so <libxml/encoding.h> would include the system's <unicode/ucnv.h>, whose
// declarations clash with Foundation's own ICU module (_FoundationICU) in any Swift file that sees both. cse uses no
// ICU-backed encoding handler (bodies are UTF-8), so the ICU part of libxml2's headers is left out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/catalog.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
#include <string.h>

// The first error libxml2 reports while parsing a schema or validating a document, kept for the caller.
// (libxml2's error callbacks are variadic or changed their parameter's constness across releases;
// this collector is cast to the callback type, so it builds against 2.9 and 2.12+ alike.)
typedef struct {
    char message[1024];
    int line;
    int count;
} cse_xml_errors;

static inline void cse_xml_collect(void *context, const xmlError *error) {
    cse_xml_errors *errors = (cse_xml_errors *)context;
    if (errors == NULL || error == NULL) return;
    errors->count += 1;
    if (errors->count > 1 || error->message == NULL) return;
    strncpy(errors->message, error->message, sizeof(errors->message) - 1);
    errors->message[sizeof(errors->message) - 1] = 0;
    errors->line = error->line;
}

static inline void cse_xml_schema_parser_collect(xmlSchemaParserCtxtPtr context, cse_xml_errors *errors) {
    xmlSchemaSetParserStructuredErrors(context, (xmlStructuredErrorFunc)cse_xml_collect, errors);
}

static inline void cse_xml_schema_valid_collect(xmlSchemaValidCtxtPtr context, cse_xml_errors *errors) {
    xmlSchemaSetValidStructuredErrors(context, (xmlStructuredErrorFunc)cse_xml_collect, errors);
}

// Body parsing: no network, no entity expansion, no messages on stderr.
static inline xmlDocPtr cse_xml_read_memory(const char *bytes, int length) {
    return xmlReadMemory(bytes, length, "body.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

#endif
