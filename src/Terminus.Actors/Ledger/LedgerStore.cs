using Akka.Hosting;
using Akka.Persistence.Hosting;
using Akka.Persistence.Sql.Hosting;
using Microsoft.Data.Sqlite;

namespace Terminus.Actors.Ledger;

/// <summary>
/// The job ledger on disk: one SQLite file (Akka.Persistence.Sql over Microsoft.Data.Sqlite), in WAL mode, which
/// roughly halves the cost of each write and lets <c>terminus status</c> read while the daemon writes.
/// </summary>
public static class LedgerStore
{
    public const string SerializerHocon = """
        akka.actor {
          serializers.terminus-ledger = "Terminus.Actors.Ledger.LedgerSerializer, Terminus.Actors"
          serialization-bindings { "Terminus.Core.Ledger.ILedgerRecord, Terminus.Core" = terminus-ledger }
        }
        """;

    public static string ConnectionString(string path) => new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();

    /// <summary>Creates the file if needed and switches it to WAL (a property of the file: it sticks).</summary>
    public static void Prepare(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var connection = new SqliteConnection(ConnectionString(path));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }

    /// <summary>Journal and snapshot store on the SQLite file, with the ledger's own serializer.</summary>
    public static AkkaConfigurationBuilder WithLedger(this AkkaConfigurationBuilder builder, string path)
    {
        Prepare(path);
        return builder
            .AddHocon(SerializerHocon, HoconAddMode.Prepend)
            .WithSqlPersistence(ConnectionString(path), LinqToDB.ProviderName.SQLiteMS, PersistenceMode.Both, autoInitialize: true);
    }
}
