import Foundation
import PackagePlugin

/// Embeds every `patterns/*.rules` file of the package into the target it is applied to,
/// as `BuiltinRules.files`.
@main
struct EmbedRulesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let patterns = root.appending(path: "patterns")
        let files = try FileManager.default
            .contentsOfDirectory(at: patterns, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "rules" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "BuiltinRuleFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) rule files from patterns/",
                executable: try context.tool(named: "EmbedRules").url,
                arguments: [output.path, root.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
