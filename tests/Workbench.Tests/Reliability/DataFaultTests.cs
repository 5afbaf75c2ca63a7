using System.Text;
using Parquet;
using Workbench.Data;
using Workbench.Data.Io;
using Workbench.Tests.Data;

namespace Workbench.Tests.Reliability;

/// <summary>Corrupt, stray and implausible data files are located refusals, never crashes or silent acceptances.</summary>
public class DataFaultTests
{
    static string WriteFixture(DataFormat format, string purpose)
    {
        var dir = TestPaths.NewTempDir(purpose);
        new CrmCatalog(dir).Write(CrmFixture.Small(), new WriteOptions { Format = format });
        return dir;
    }

    static DataValidationException Refused(string dir, LoadOptions? options = null) =>
        Assert.Throws<DataValidationException>(() => new CrmCatalog(dir).Load(options ?? new LoadOptions()));

    static async Task<(long Offset, int Length)> ChunkOf(string path, string column)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var md = reader.OpenRowGroupReader(0).RowGroup.Columns.First(c => c.MetaData!.PathInSchema[0] == column).MetaData!;
        return (md.DataPageOffset, (int)md.TotalCompressedSize);
    }

    [Fact]
    public async Task A_corrupt_page_header_in_one_column_chunk_is_reported_with_file_column_row_group_and_offset()
    {
        var dir = WriteFixture(DataFormat.Parquet, "pq-header");
        var path = Path.Combine(dir, "contracts.parquet");
        var (offset, _) = await ChunkOf(path, "seats");
        var bytes = File.ReadAllBytes(path);
        for (int i = 0; i < 6; i++) bytes[offset + i] = 0xFF; // page header fields now claim absurd sizes
        File.WriteAllBytes(path, bytes);
        var ex = Refused(dir, new LoadOptions { Format = DataFormat.Parquet });
        var p = Assert.Single(ex.Problems);
        Assert.EndsWith("contracts.parquet", p.File);
        Assert.Equal("seats", p.Column);
        Assert.Contains("row group 0", p.Expected);
        Assert.Contains("byte offset " + offset, p.Expected);
    }

    [Fact]
    public void An_absurd_footer_length_is_refused_before_anything_is_allocated()
    {
        var dir = WriteFixture(DataFormat.Parquet, "pq-footer");
        var path = Path.Combine(dir, "accounts.parquet");
        var bytes = File.ReadAllBytes(path);
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 8), int.MaxValue - 5);
        File.WriteAllBytes(path, bytes);
        var ex = Refused(dir, new LoadOptions { Format = DataFormat.Parquet });
        Assert.Contains(ex.Problems, p => p.File.EndsWith("accounts.parquet") && p.Expected.Contains("footer length"));
    }

    [Fact]
    public void A_truncated_parquet_file_is_a_located_problem()
    {
        var dir = WriteFixture(DataFormat.Parquet, "pq-trunc");
        var path = Path.Combine(dir, "spend.parquet");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var ex = Refused(dir, new LoadOptions { Format = DataFormat.Parquet });
        Assert.Contains(ex.Problems, p => p.File.EndsWith("spend.parquet") && p.Expected.Contains("PAR1"));
    }

    [Fact]
    public async Task A_row_group_claiming_more_rows_than_its_bytes_can_hold_is_refused()
    {
        var dir = WriteFixture(DataFormat.Parquet, "pq-rows");
        var path = Path.Combine(dir, "reps.parquet");
        await using var reader = await ParquetReader.CreateAsync(path);
        var group = reader.OpenRowGroupReader(0).RowGroup;
        var columns = group.Columns.Select(c => c.MetaData!.PathInSchema[0]).ToArray();
        var places = new ParquetGuard.ChunkPlace[columns.Length];
        Assert.Null(ParquetGuard.CheckRowGroup(group, 0, columns, new FileInfo(path).Length, places));
        group.NumRows = 1L << 40;
        Assert.Contains("row count", ParquetGuard.CheckRowGroup(group, 0, columns, new FileInfo(path).Length, places)!.Value.Why);
        group.NumRows = 1_000_000_000;
        foreach (var c in group.Columns) c.MetaData!.NumValues = group.NumRows;
        Assert.Contains("rows per byte", ParquetGuard.CheckRowGroup(group, 0, columns, new FileInfo(path).Length, places)!.Value.Why);
    }

    [Fact]
    public void A_stray_non_parquet_file_beside_csv_tables_asks_for_one_format_and_each_format_then_behaves()
    {
        var dir = WriteFixture(DataFormat.Csv, "stray");
        File.WriteAllText(Path.Combine(dir, "usage.parquet"), "account_id,product_id\nA1,P1\n");
        var ex = Refused(dir);
        var p = Assert.Single(ex.Problems);
        Assert.Contains("usage.parquet", p.Expected);
        Assert.Contains("accounts.csv", p.Expected);
        Assert.Contains("--format", p.Expected);
        Assert.Equal(3, new CrmCatalog(dir).Load(new LoadOptions { Format = DataFormat.Csv }).Dataset.Accounts.Count);
        var asParquet = Refused(dir, new LoadOptions { Format = DataFormat.Parquet });
        Assert.Contains(asParquet.Problems, q => q.File.EndsWith("usage.parquet") && q.Expected.Contains("not a Parquet file"));
    }

    [Fact]
    public void Invalid_utf8_in_a_csv_is_refused_in_strict_mode_with_its_byte_offset_and_line()
    {
        var dir = WriteFixture(DataFormat.Csv, "utf8");
        var path = Path.Combine(dir, "accounts.csv");
        var text = File.ReadAllBytes(path);
        int at = Encoding.UTF8.GetString(text).IndexOf("Acme", StringComparison.Ordinal);
        int byteAt = Encoding.UTF8.GetByteCount(Encoding.UTF8.GetString(text)[..at]);
        text[byteAt] = 0xC3; text[byteAt + 1] = 0x28; // an invalid two-byte sequence
        File.WriteAllBytes(path, text);
        var p = Assert.Single(Refused(dir).Problems);
        Assert.Contains($"byte offset {byteAt}", p.Expected);
        Assert.Equal(2, p.Line);
    }

    [Fact]
    public void An_empty_primary_key_is_refused()
    {
        var dir = WriteFixture(DataFormat.Csv, "emptykey");
        var path = Path.Combine(dir, "reps.csv");
        var lines = File.ReadAllLines(path);
        var cells = lines[1].Split(',');
        cells[0] = "\"\"";
        lines[1] = string.Join(',', cells);
        File.WriteAllLines(path, lines);
        File.Delete(Path.Combine(dir, "book.csv")); File.Delete(Path.Combine(dir, "opportunities.csv"));
        File.Delete(Path.Combine(dir, "stage_history.csv")); File.Delete(Path.Combine(dir, "actions.csv"));
        var ex = Refused(dir);
        Assert.Contains(ex.Problems, p => p.File.EndsWith("reps.csv") && p.Line == 2 && p.Column == "rep_id" && p.Expected.Contains("non-empty key"));
    }

    [Fact]
    public void Dates_outside_the_plausible_window_are_refused_and_the_window_is_configurable()
    {
        var dir = WriteFixture(DataFormat.Csv, "dates");
        var path = Path.Combine(dir, "spend.csv");
        File.WriteAllText(path, File.ReadAllText(path).Replace("2022-02-01", "2999-02-01"));
        var ex = Refused(dir);
        Assert.Contains(ex.Problems, p => p.File.EndsWith("spend.csv") && p.Line == 3 && p.Column == "month" && p.Value == "2999-02-01"
            && p.Expected.Contains("between 1900-01-01 and 2100-12-31"));
        var wide = new CrmCatalog(dir).Load(new LoadOptions { LatestDate = new DateOnly(3000, 12, 31) });
        Assert.Contains(wide.Dataset.Spend, s => s.Month.Year == 2999);
    }

    [Fact]
    public void A_null_truth_manifest_is_a_located_problem()
    {
        var dir = WriteFixture(DataFormat.Csv, "manifest-null");
        File.WriteAllText(Path.Combine(dir, "truth", "manifest.json"), "null");
        var ex = Refused(dir);
        Assert.Contains(ex.Problems, p => p.File.EndsWith("manifest.json") && p.Expected.Contains("'manifest' and 'rollout'"));
    }

    [Fact]
    public void A_dangling_symlink_as_truth_manifest_or_table_is_a_located_problem()
    {
        var dir = WriteFixture(DataFormat.Csv, "manifest-link");
        var manifest = Path.Combine(dir, "truth", "manifest.json");
        File.Delete(manifest);
        File.CreateSymbolicLink(manifest, Path.Combine(dir, "nowhere.json"));
        Assert.Contains(Refused(dir).Problems, p => p.File.EndsWith("manifest.json"));
        var products = Path.Combine(dir, "products.csv");
        File.Delete(products);
        File.CreateSymbolicLink(products, Path.Combine(dir, "nowhere.csv"));
        Assert.Contains(Refused(dir).Problems, p => p.File.EndsWith("products.csv") && p.Expected.Contains("readable file"));
    }
}
