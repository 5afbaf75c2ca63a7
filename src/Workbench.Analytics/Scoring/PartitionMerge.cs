using Workbench.Analytics.Ranking;

namespace Workbench.Analytics.Scoring;

/// <summary>
/// Joins the scorings of partitions of one dataset's accounts into the scoring of the whole: a rep's accounts may lie in
/// several partitions, so each rep's book is ranked and graded again over all of its accounts, in the order and with the
/// cut-offs <see cref="PriorityBooks"/> uses. Everything else of an account (its probabilities, priority, trend, products,
/// narrative, context, lifetime value) reads only that account's rows and the model, so it is kept as scored.
/// </summary>
public static class PartitionMerge
{
    public static ScoringResult Merge(IReadOnlyList<ScoringResult> parts, PriorityOptions options)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("No partition's scoring to merge.", nameof(parts));
        var first = parts[0];
        foreach (var p in parts)
            if (p.AsOf != first.AsOf || p.PreviousAsOf != first.PreviousAsOf || p.ModelName != first.ModelName || p.ClvModel != first.ClvModel)
                throw new WorkbenchException($"The partitions were scored differently (as of {p.AsOf:yyyy-MM-dd} against {first.AsOf:yyyy-MM-dd}, " +
                    $"model '{p.ModelName}' against '{first.ModelName}'); they cannot form one book.");
        var byRep = new SortedDictionary<string, (string Name, List<ScoredAccount> Accounts)>(StringComparer.Ordinal);
        foreach (var p in parts)
            foreach (var b in p.Books)
            {
                if (!byRep.TryGetValue(b.RepId, out var entry)) byRep[b.RepId] = entry = (b.RepName, new List<ScoredAccount>());
                entry.Accounts.AddRange(b.Accounts);
            }
        var books = new List<ScoredBook>(byRep.Count);
        foreach (var (rep, (name, accounts)) in byRep)
        {
            var sorted = accounts.ToArray();
            Array.Sort(sorted, static (x, y) => PriorityBooks.BookOrder(x.Priority.Priority, x.AccountId, y.Priority.Priority, y.AccountId));
            var ranked = new ScoredAccount[sorted.Length];
            for (int i = 0; i < sorted.Length; i++)
            {
                var a = sorted[i];
                int rank = i + 1;
                var grade = PriorityBooks.GradeAt(i, sorted.Length, options);
                ranked[i] = a.Priority.Rank == rank && a.Priority.Grade == grade ? a : a with { Priority = a.Priority with { Rank = rank, Grade = grade } };
            }
            books.Add(new ScoredBook(rep, name, ranked));
        }
        return new ScoringResult(first.ModelName, first.AsOf, first.PreviousAsOf, books) { ClvModel = first.ClvModel };
    }
}
