import Foundation

/// The browser app, embedded in the binary: HTML, CSS and JavaScript we write (no third-party
/// code, no build step). Each file lives in `App/` as a Swift string.
enum AppAssets {
    struct Asset: Sendable {
        var contentType: String
        var body: String
    }

    static func asset(_ path: String) -> Asset? {
        switch path {
        case "/", "/index.html": return Asset(contentType: "text/html; charset=utf-8", body: AppHTML.index)
        case "/app.css": return Asset(contentType: "text/css; charset=utf-8", body: AppCSS.text)
        case "/plot.js": return Asset(contentType: "text/javascript; charset=utf-8", body: PlotJS.text)
        case "/app.js": return Asset(contentType: "text/javascript; charset=utf-8", body: AppJS.text)
        case "/views.js": return Asset(contentType: "text/javascript; charset=utf-8", body: ViewsJS.text)
        case "/fits.js": return Asset(contentType: "text/javascript; charset=utf-8", body: FitsJS.text)
        case "/image.js": return Asset(contentType: "text/javascript; charset=utf-8", body: ImageJS.text)
        case "/images.js": return Asset(contentType: "text/javascript; charset=utf-8", body: ImagesViewJS.text)
        case "/favicon.svg", "/favicon.ico": return Asset(contentType: "image/svg+xml", body: favicon)
        default: return nil
        }
    }

    /// A small X-ray-ish mark: an absorption edge on a dark tile.
    static let favicon = """
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f3b57"/>\
    <path d="M4 24 L13 22 L15 9 L18 7 L21 11 L24 9 L28 10" fill="none" stroke="#ffcc4d" stroke-width="2.5" stroke-linejoin="round"/></svg>
    """
}
