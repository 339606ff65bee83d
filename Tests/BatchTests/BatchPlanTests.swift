import Foundation
import Testing
import XrayCore
@testable import Batch

@Suite struct BatchPlanTests {
    @Test func parsesInputsStepOutputAndSlurm() throws {
        let folder = temporaryFolder("plan")
        let (_, plan) = try writePlan("""
        name: demo
        inputs:
          - folder: data
            exclude: ["reference/**", "*.md"]
          - glob: more/**/*.xy
          - archive: set.zip
          - manifest: files.txt
          - one.xy
        step:
          verb: xas
          options:
            rbkg: 1.2
            window: hanning
            nnorm: 2
        output: out
        slurm: {time: "0:30:00", mem: 4G, cpus_per_task: 2, partition: short}
        """, in: folder)
        #expect(plan.inputs.map(\.kind) == [.folder, .glob, .archive, .manifest, .file])
        #expect(plan.inputs[0].exclude == ["reference/**", "*.md"])
        #expect(plan.inputs[1].line == 5)
        #expect(plan.step.verb == .xas)
        #expect(plan.step.options["rbkg"] == .number(1.2))
        #expect(plan.step.options["window"] == .text("hanning"))
        #expect(plan.step.line == 10)
        #expect(plan.output == "out")
        #expect(plan.slurm.cpusPerTask == 2 && plan.slurm.mem == "4G" && plan.slurm.partition == "short")
    }

    /// The error of parsing `yaml`, which must fail.
    func failure(_ yaml: String) -> RoentgenError? {
        let folder = temporaryFolder("bad-plan")
        do { _ = try writePlan(yaml, in: folder); return nil } catch { return error as? RoentgenError }
    }

    @Test func unknownVerbIsRefusedWithItsLine() throws {
        let error = try #require(failure("""
        inputs:
          - folder: .
        step:
          verb: integrate-everything
        """))
        #expect(error.line == 4)
        #expect(error.message.contains("unknown verb 'integrate-everything'"))
        #expect(error.message.contains("convert"))
        #expect(error.file?.hasSuffix("plan.yaml") == true)
    }

    @Test func unknownOptionIsRefusedWithItsLine() throws {
        let error = try #require(failure("""
        inputs: [.]
        step:
          verb: convert
          options:
            to: xy
            colour: blue
        """))
        #expect(error.line == 6)
        #expect(error.message.contains("unknown option 'colour' for verb 'convert'"))
    }

    @Test func badValuesAndKeysAreRefusedWithTheirLines() throws {
        let badChoice = try #require(failure("inputs: [.]\nstep:\n  verb: convert\n  options: {to: pdf}\n"))
        #expect(badChoice.line == 4 && badChoice.message.contains("one of xy, xdi, csv, json"))
        let badNumber = try #require(failure("inputs: [.]\nstep:\n  verb: xas\n  options:\n    rbkg: wide\n"))
        #expect(badNumber.line == 5 && badNumber.message.contains("must be a number"))
        let missing = try #require(failure("inputs: [.]\nstep:\n  verb: convert\n"))
        #expect(missing.line == 3 && missing.message.contains("needs the option 'to'"))
        let topKey = try #require(failure("inputs: [.]\nsteps:\n  verb: read\n"))
        #expect(topKey.line == 2 && topKey.message.contains("unknown key 'steps'"))
        let inputKey = try #require(failure("inputs:\n  - folder: .\n    exclud: [x]\nstep: {verb: read}\n"))
        #expect(inputKey.line == 3)
        let yaml = try #require(failure("inputs: [.\nstep: {verb: read}\n"))
        #expect(yaml.line != nil && yaml.message.contains("not valid YAML"))
    }

    @Test func inputsExpandFoldersGlobsManifestsAndArchives() throws {
        let folder = temporaryFolder("inputs")
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("data/sub"), withIntermediateDirectories: true)
        for name in ["data/a.xy", "data/b.md", "data/sub/c.xy", "data/.hidden.xy"] {
            try "10 1\n11 2\n".write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try "# list\ndata/a.xy\n\ndata/sub/c.xy\n".write(to: folder.appendingPathComponent("files.txt"), atomically: true, encoding: .utf8)
        let (_, plan) = try writePlan("""
        inputs:
          - folder: data
            exclude: ["*.md"]
        step: {verb: read}
        """, in: folder)
        #expect(try BatchInputs.items(of: plan).map(\.id) == ["data/a.xy", "data/sub/c.xy"])
        var glob = plan
        glob.inputs = [BatchInputSpec(kind: .glob, path: "data/**/*.xy")]
        #expect(try BatchInputs.items(of: glob).map(\.name) == ["a.xy", "sub/c.xy"])
        glob.inputs = [BatchInputSpec(kind: .glob, path: "data/*.xy")]
        #expect(try BatchInputs.items(of: glob).map(\.name) == ["a.xy"])
        var manifest = plan
        manifest.inputs = [BatchInputSpec(kind: .manifest, path: "files.txt")]
        #expect(try BatchInputs.items(of: manifest).map(\.id) == ["data/a.xy", "data/sub/c.xy"])
        try "data/a.xy\ndata/missing.xy\n".write(to: folder.appendingPathComponent("bad.txt"), atomically: true, encoding: .utf8)
        manifest.inputs = [BatchInputSpec(kind: .manifest, path: "bad.txt")]
        #expect(throws: RoentgenError.self) { try BatchInputs.items(of: manifest) }
        do { _ = try BatchInputs.items(of: manifest) } catch let error as RoentgenError { #expect(error.line == 2) }
        var absent = plan
        absent.inputs = [BatchInputSpec(kind: .folder, path: "nowhere", line: 7)]
        do { _ = try BatchInputs.items(of: absent); Issue.record("expected an error") } catch let error as RoentgenError {
            #expect(error.line == 7 && error.message.contains("nowhere"))
        }
    }

    @Test func pathPatterns() {
        #expect(PathPattern("*.md").matches("a/b/README.md"))
        #expect(!PathPattern("*.md").matches("a/b.mdx"))
        #expect(PathPattern("reference/**").matches("reference/parse/x.json"))
        #expect(!PathPattern("reference/**").matches("xrd/reference/x.json"))
        #expect(PathPattern("**/reference/**").matches("xrd/reference/x.json"))
        #expect(PathPattern("a/**/b.xy").matches("a/b.xy"))
        #expect(PathPattern("a/**/b.xy").matches("a/x/y/b.xy"))
        #expect(!PathPattern("a/*.xy").matches("a/x/b.xy"))
        #expect(PathPattern("?.xy").matches("q.xy") && !PathPattern("?.xy").matches("qq.xy"))
    }
}
