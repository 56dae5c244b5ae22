using Akka.Hosting;
using Terminus.Infrastructure.Ledger;

namespace Terminus.Actors.Ledger;

/// <summary>
/// The job ledger as the actor system sees it, on the SQLite file (<see cref="LedgerFile"/>): our journal plugin with
/// group commit (<see cref="SqliteJournal"/>) and our snapshot store (<see cref="SqliteSnapshotStore"/>; only the
/// supervisor snapshots), both written with the ledger's own serializer, on the tables Akka.Persistence.Sql made before.
/// </summary>
public static class LedgerStore
{
    public const string SerializerHocon = """
        akka.actor {
          serializers.terminus-ledger = "Terminus.Actors.Ledger.LedgerSerializer, Terminus.Actors"
          serialization-bindings { "Terminus.Core.Ledger.ILedgerRecord, Terminus.Core" = terminus-ledger }
        }
        """;

    private static string PluginsHocon(string path)
    {
        var quoted = "\"" + path.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        return $$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.terminus-ledger"
                terminus-ledger {
                  class = "Terminus.Actors.Ledger.SqliteJournal, Terminus.Actors"
                  plugin-dispatcher = "akka.actor.default-dispatcher"
                  path = {{quoted}}
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.terminus-ledger"
                terminus-ledger {
                  class = "Terminus.Actors.Ledger.SqliteSnapshotStore, Terminus.Actors"
                  plugin-dispatcher = "akka.actor.default-dispatcher"
                  path = {{quoted}}
                }
              }
            }
            """;
    }

    public static AkkaConfigurationBuilder WithLedger(this AkkaConfigurationBuilder builder, string path)
    {
        LedgerFile.Prepare(path);
        return builder.AddHocon(SerializerHocon + "\n" + PluginsHocon(path), HoconAddMode.Prepend);
    }
}
