import Foundation

/// Materials Cloud Archive (archive.materialscloud.org), an InvenioRDM site: keyword search,
/// record ids like `rcyfm-68h65`, files with md5 at `/api/records/{id}/files/{key}/content`.
public enum MaterialsCloud {
    public static let defaultBaseURL = URL(string: "https://archive.materialscloud.org/api")!

    public static func connector(baseURL: URL = defaultBaseURL, http: HTTPClient) -> InvenioRDMConnector {
        InvenioRDMConnector(name: "materialscloud", baseURL: baseURL, maxPageSize: 100,
                            landingTemplate: "https://archive.materialscloud.org/records/{id}", http: http)
    }

    /// The record id in a landing URL (`https://archive.materialscloud.org/records/rcyfm-68h65`).
    public static func recordID(ofLandingPage url: URL) -> String? {
        guard url.host?.contains("materialscloud.org") == true else { return nil }
        let parts = url.pathComponents
        guard let i = parts.firstIndex(of: "records"), i + 1 < parts.count else { return nil }
        return parts[i + 1]
    }
}
