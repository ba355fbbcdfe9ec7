import GroundTruth

/// `junit.xml`: one test case per check, for CI systems. A check fails with a message saying how many
/// findings there are and lists examples in the failure's text. Checks that do not apply (watermarks in
/// interval mode, the audit without a manifest) are skipped; ambiguous and open windows never fail.
public enum JUnitReport {
    struct Check {
        let name: String
        var failure: (message: String, details: [String])?
        var skipped: String?
        var output: String?
    }

    public static func render(_ document: ValidationDocument) -> String {
        let checks = self.checks(document.result)
        let failures = checks.filter { $0.failure != nil }.count
        let skipped = checks.filter { $0.skipped != nil }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let suite = "windtunnel validate \(document.inputs.topic)"
        out += "<testsuites name=\"windtunnel\" tests=\"\(checks.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\">\n"
        out += "  <testsuite name=\"\(Markup.escaped(suite))\" tests=\"\(checks.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" timestamp=\"\(Markup.escaped(document.generatedAt))\" time=\"\(document.replay.totalSeconds)\">\n"
        for check in checks {
            out += "    <testcase classname=\"windtunnel.validate\" name=\"\(Markup.escaped(check.name))\">"
            if let failure = check.failure {
                out += "\n      <failure message=\"\(Markup.escaped(failure.message))\" type=\"\(Markup.escaped(check.name))\">"
                out += Markup.escaped(failure.details.joined(separator: "\n")) + "</failure>\n    "
            } else if let skipped = check.skipped {
                out += "\n      <skipped message=\"\(Markup.escaped(skipped))\"/>\n    "
            }
            if let output = check.output {
                out += "\n      <system-out>\(Markup.escaped(output))</system-out>\n    "
            }
            out += "</testcase>\n"
        }
        return out + "  </testsuite>\n</testsuites>\n"
    }

    static func checks(_ result: ValidationResult) -> [Check] {
        let examples = result.alerts.examples
        func outcomeCheck(_ name: String, _ outcome: AlertOutcome) -> Check {
            var check = Check(name: name)
            let count = result.alerts.outcomes[outcome]
            if count > 0 {
                check.failure = (
                    "\(count) \(Wording.outcome(outcome)) (window, user) pairs",
                    examples.filter { $0.outcome == outcome }.map(Wording.finding)
                )
            }
            return check
        }
        var checks = [
            outcomeCheck("no missing alerts", .missing),
            outcomeCheck("no spurious alerts", .spurious),
            outcomeCheck("no count mismatches", .countMismatch),
        ]
        var duplicates = Check(name: "no duplicate emissions")
        if result.alerts.duplicates > 0 {
            duplicates.failure = (
                "\(result.alerts.duplicates) (window, user) pairs emitted more often than \(result.rule.mode.rawValue) mode allows",
                result.alerts.duplicateExamples.map(Wording.duplicate)
            )
        }
        checks.append(duplicates)
        var watermarks = Check(name: "logged watermarks follow the rule")
        if result.mode == .interval {
            watermarks.skipped = "interval mode: no batch log"
        } else if result.watermarks.disagreements > 0 {
            watermarks.failure = (
                "\(result.watermarks.disagreements) of \(result.watermarks.checkedBatches) batches logged other watermarks than the rule gives",
                result.watermarks.examples.map(\.message)
            )
        }
        checks.append(watermarks)
        var audit = Check(name: "topic audit against the manifest")
        if let manifest = result.manifestAudit {
            // The audit is about the broker and the generator, not the detector: reported, never failed.
            audit.output = Wording.audit(manifest) + (manifest.examples.isEmpty ? "" : "\n" + manifest.examples.joined(separator: "\n"))
        } else {
            audit.skipped = "no manifest"
        }
        checks.append(audit)
        if !result.diagnosis.isEmpty {
            checks[checks.indices.first { checks[$0].failure != nil } ?? 0].output =
                "likely: " + result.diagnosis.map { "\($0.bug.rawValue): \($0.sentence)" }.joined(separator: "\nor: ")
        }
        return checks
    }
}
