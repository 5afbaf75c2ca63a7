using Workbench.Data.Partitioning;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench partition --data DIR --out DIR --partitions N</c>: splits a Parquet dataset into partitions of
/// accounts, each a dataset folder of its own; <c>workbench score --data OUT</c> then scores them one at a time.</summary>
public static class PartitionCommand
{
    public static Command Create()
    {
        var io = new CommandFlags(data: "Parquet dataset folder to split.", output: "New or empty folder for part-000, part-001, ... and partitions.json.");
        var count = new Option<int>("--partitions") { Description = "How many partitions of accounts (1-4096).", Required = true };
        return CliCommand.Create("partition", "Split a Parquet dataset into partitions of accounts, reading one row group at a time, so data larger than memory can be scored a partition at a time ('workbench score --data OUT').",
            io, [count], p =>
        {
            var manifest = CliProgress.Run("partitioning", _ => DatasetPartitioner.Split(io.DataDirectory(p), io.OutDirectory(p), p.GetValue(count),
                new Progress<string>(m => Console.Error.WriteLine(m))));
            // The split reads accounts.parquet first and refuses a dataset without it, so every partition has a count.
            var accounts = manifest.Rows[Workbench.Domain.CrmSchema.Accounts];
            Console.WriteLine(FormattableString.Invariant($"Split {manifest.TotalRows(Workbench.Domain.CrmSchema.Accounts):N0} accounts into {manifest.Partitions:N0} partitions ({accounts.Min():N0}-{accounts.Max():N0} accounts each)."));
            Console.WriteLine("  wrote " + Path.Combine(io.OutDirectory(p), DatasetPartitioner.ManifestFile));
        });
    }
}
