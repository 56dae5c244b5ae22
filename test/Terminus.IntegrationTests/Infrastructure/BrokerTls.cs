namespace Terminus.IntegrationTests.Infrastructure;

/// <summary>A certificate and its key, as PEM files.</summary>
internal sealed record PemPair(string Cert, string Key);

/// <summary>
/// The test broker's AMQPS listener (scripts/ci/rmq-up.sh) and certificates made with openssl at test time: CAs of
/// our own, and certificates signed by the broker's CA or by them. <see cref="PresentAsync"/> makes the broker present
/// another certificate from its next handshake on (the files are rewritten and its PEM cache cleared); disposing
/// puts the broker's own back.
/// </summary>
internal sealed class BrokerTls(string workDir) : IAsyncDisposable
{
    private (byte[] Cert, byte[] Key)? _saved;

    public static PemPair BrokerCa => new(Path.Combine(ItEnvironment.BrokerTlsDir, "ca.pem"), Path.Combine(ItEnvironment.BrokerTlsDir, "ca.key"));

    /// <summary>A new self-signed CA.</summary>
    public async Task<PemPair> NewCaAsync(string name)
    {
        var ca = Pair(name);
        await OpensslAsync("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", ca.Key, "-out", ca.Cert,
            "-days", "30", "-subj", $"/CN={name}", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return ca;
    }

    /// <summary>A certificate for <paramref name="subjectAltName"/> (e.g. <c>DNS:localhost</c>) signed by <paramref name="ca"/> (the broker's by default).</summary>
    public async Task<PemPair> IssueAsync(string commonName, string subjectAltName, int days, PemPair? ca = null, string usage = "serverAuth")
    {
        ca ??= BrokerCa;
        var issued = Pair(commonName);
        var csr = issued.Cert + ".csr";
        var ext = issued.Cert + ".ext";
        await OpensslAsync("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", issued.Key, "-out", csr, "-subj", $"/CN={commonName}");
        await File.WriteAllTextAsync(ext, $"subjectAltName={subjectAltName}\nbasicConstraints=CA:FALSE\nextendedKeyUsage={usage}\n");
        await OpensslAsync("x509", "-req", "-in", csr, "-CA", ca.Cert, "-CAkey", ca.Key, "-set_serial", Random.Shared.NextInt64(1, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-days", days.ToString(System.Globalization.CultureInfo.InvariantCulture), "-extfile", ext, "-out", issued.Cert);
        return issued;
    }

    /// <summary>The broker presents <paramref name="server"/> from its next TLS handshake on.</summary>
    public async Task PresentAsync(PemPair server)
    {
        var (cert, key) = BrokerFiles();
        _saved ??= (await File.ReadAllBytesAsync(cert), await File.ReadAllBytesAsync(key));
        await ReplaceAsync(await File.ReadAllBytesAsync(server.Cert), await File.ReadAllBytesAsync(server.Key));
    }

    public async ValueTask DisposeAsync()
    {
        if (_saved is { } saved) await ReplaceAsync(saved.Cert, saved.Key);
        _saved = null;
    }

    private static (string Cert, string Key) BrokerFiles() =>
        (Path.Combine(ItEnvironment.BrokerTlsDir, "server.pem"), Path.Combine(ItEnvironment.BrokerTlsDir, "server.key"));

    private static async Task ReplaceAsync(byte[] cert, byte[] key)
    {
        var (certFile, keyFile) = BrokerFiles();
        // Rewritten in place: the files keep their owner (the broker's user) and mode.
        await File.WriteAllBytesAsync(keyFile, key);
        await File.WriteAllBytesAsync(certFile, cert);
        await Harness.RabbitCtlAsync("eval", "ssl:clear_pem_cache().");
    }

    private PemPair Pair(string name)
    {
        var stem = Path.Combine(workDir, $"{name.Replace(' ', '-')}-{Guid.NewGuid():N}"[..^24]);
        return new PemPair(stem + ".pem", stem + ".key");
    }

    private static async Task OpensslAsync(params string[] args)
    {
        var result = await ProcessRunner.RunAsync("openssl", args, TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0) throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {result.StdErr}");
    }
}
