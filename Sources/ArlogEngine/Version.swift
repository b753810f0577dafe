/// The version of arlog, defined here once: `arlog --version` prints `ArlogVersion.description`.
/// Raise `number` with each release (docs/cli.md, "Version").
public enum ArlogVersion {
    /// The release, semantic versioning.
    public static let number = "0.10.0"

    /// What `arlog --version` prints: the release, the store format it reads and writes, and
    /// the feed contract it implements.
    public static var description: String {
        "\(number) (store format \(Store.formatVersion), feed contract events-v1.3)"
    }
}
