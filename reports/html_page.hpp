// The fixed parts of the HTML report's page (reports/html_report.hpp): its style sheet, the
// skeleton of its body and the script that draws the matrix and the case details from the
// embedded JSON. Kept apart from the C++ that writes the data, so each reads on its own.
#pragma once

#include <string_view>

namespace wscheck::reports {

/// The content of the page's <style> element.
extern const std::string_view html_page_style;
/// The body's static elements, before the data blobs.
extern const std::string_view html_page_body;
/// The content of the page's last <script> element: reads #wscheck-index at once and
/// #wscheck-details on the first case opened.
extern const std::string_view html_page_script;

} // namespace wscheck::reports
