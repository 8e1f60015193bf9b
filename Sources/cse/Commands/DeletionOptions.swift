import ArgumentParser
import Reconcile

/// The deletion guard's settings for commands that may delete.
struct DeletionOptions: ParsableArguments {
    @Flag(help: "Let one apply or pass delete more than --max-delete-share of the clusters.")
    var allowMassDelete = false

    @Option(help: "The largest share of the clusters (0 to 1) one apply or pass may delete without --allow-mass-delete.")
    var maxDeleteShare: Double = DeletionGuard.defaultMaxShare

    func validate() throws {
        guard (0...1).contains(maxDeleteShare) else { throw ValidationError("--max-delete-share must be between 0 and 1") }
    }

    var deletionGuard: DeletionGuard { DeletionGuard(maxShare: maxDeleteShare, allowMassDelete: allowMassDelete) }
}
