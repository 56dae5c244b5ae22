using System.Data.Common;
using Akka.Hosting;
using Akka.Persistence.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Terminus.Infrastructure.Ledger;

namespace Terminus.Actors.Ledger;

/// <summary>
/// The job ledger as the actor system sees it, on the SQLite file (<see cref="LedgerFile"/>): our journal plugin with
/// group commit (<see cref="SqliteJournal"/>) and Akka.Persistence.Sql's snapshot store (only the supervisor snapshots),
/// both written with the ledger's own serializer.
/// </summary>
public static class LedgerStore
{
    public const string SerializerHocon = """
        akka.actor {
          serializers.terminus-ledger = "Terminus.Actors.Ledger.LedgerSerializer, Terminus.Actors"
          serialization-bindings { "Terminus.Core.Ledger.ILedgerRecord, Terminus.Core" = terminus-ledger }
        }
        """;

    private static string JournalHocon(string path) => $$"""
        akka.persistence.journal {
          plugin = "akka.persistence.journal.terminus-ledger"
          terminus-ledger {
            class = "Terminus.Actors.Ledger.SqliteJournal, Terminus.Actors"
            plugin-dispatcher = "akka.actor.default-dispatcher"
            path = "{{path.Replace("\\", "\\\\").Replace("\"", "\\\"")}}"
          }
        }
        """;

    public static AkkaConfigurationBuilder WithLedger(this AkkaConfigurationBuilder builder, string path)
    {
        LedgerFile.Prepare(path);
        var options = new DataOptions()
            .UseConnectionString(ProviderName.SQLiteMS, LedgerFile.ConnectionString(path))
            .UseAfterConnectionOpened(SetConnectionPragmas, async (connection, ct) =>
            {
                await using var command = connection.CreateCommand();
                command.CommandText = LedgerFile.ConnectionPragmas;
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            });
        return builder
            .AddHocon(SerializerHocon, HoconAddMode.Prepend)
            .WithSqlPersistence(options, PersistenceMode.SnapshotStore, autoInitialize: true)
            .AddHocon(JournalHocon(path), HoconAddMode.Prepend);
    }

    private static void SetConnectionPragmas(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = LedgerFile.ConnectionPragmas;
        command.ExecuteNonQuery();
    }
}
