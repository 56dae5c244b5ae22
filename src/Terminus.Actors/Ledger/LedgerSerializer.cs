using Akka.Actor;
using Akka.Serialization;
using Terminus.Core.Ledger;

namespace Terminus.Actors.Ledger;

/// <summary>Writes ledger records as versioned JSON (<see cref="LedgerJson"/>) into the journal and snapshot store.</summary>
public sealed class LedgerSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public override int Identifier => 4_711_001;

    public override byte[] ToBinary(object obj) =>
        obj is ILedgerRecord record ? LedgerJson.ToBytes(record) : throw new ArgumentException($"not a ledger record: {obj.GetType()}", nameof(obj));

    public override object FromBinary(byte[] bytes, string manifest) => LedgerJson.FromBytes(bytes, manifest);

    public override string Manifest(object o) =>
        o is ILedgerRecord record ? LedgerJson.ManifestOf(record) : throw new ArgumentException($"not a ledger record: {o.GetType()}", nameof(o));
}
