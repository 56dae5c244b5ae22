using System.Data.Common;
using Akka.Hosting;
using Akka.Persistence.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Terminus.Infrastructure.Ledger;

namespace Terminus.Actors.Ledger;

/// <summary>
/// The job ledger as the actor system sees it: Akka.Persistence.Sql's journal and snapshot store on the SQLite file
/// (<see cref="LedgerFile"/>), written with the ledger's own serializer.
/// </summary>
public static class LedgerStore
{
    public const string SerializerHocon = """
        akka.actor {
          serializers.terminus-ledger = "Terminus.Actors.Ledger.LedgerSerializer, Terminus.Actors"
          serialization-bindings { "Terminus.Core.Ledger.ILedgerRecord, Terminus.Core" = terminus-ledger }
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
            .WithSqlPersistence(options, PersistenceMode.Both, autoInitialize: true);
    }

    private static void SetConnectionPragmas(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = LedgerFile.ConnectionPragmas;
        command.ExecuteNonQuery();
    }
}
