namespace Terminus.Core.Tests.Configuration;

/// <summary>The 0.7 terminus.env template (verbatim) and the file terminus_config makes of it.</summary>
internal static class Terminus07Env
{
    public const string Template = """
        # Terminus environment variable
        TERMINUS_HOSTNAME="__empty__"
        TERMINUS_DOT_DIR="__empty__"
        TERMINUS_DATA_DIR="__empty__"
        TERMINUS_JOB_DIR="__empty__"

        TERMINUS_ROOT="__empty__"
        TERMINUS_SERVICE_DIR="__empty__"

        TERMINUS_USE_SLURM=0

        GALACSTORAGE_SSH_ALIAS="Galactica_storage"
        RABBITMQ_USERNAME="__empty__"
        RABBITMQ_HOST="__empty__"
        RABBITMQ_PORT="__empty__"
        RABBITMQ_VIRTUAL_HOST="__empty__"

        PATH=/usr/bin

        # Celery configuration
        # Name of nodes to start : here we have 4 named nodes (1 to N) + 1 monitor node (mandatory)
        CELERYD_NODES="job_worker1@anais.terminus job_worker2@anais.terminus job_worker3@anais.terminus job_worker4@anais.terminus monitor@anais.terminus"

        # Absolute or relative path to the 'celery' command:
        CELERY_BIN="__empty__"

        # App instance to use
        # comment out this line if you don't use an app
        CELERY_APP="Terminus"
        # or fully qualified:
        #CELERY_APP="Terminus.tasks:app"

        # How to call manage.py
        CELERYD_MULTI="multi"

        # Extra command-line arguments to the worker : listen to the host-specific terminus job queue + monitoring queues.
        CELERYD_OPTS="--concurrency=2 -Q hostname.terminus_jobs -c:5 1 -Q:5 hostname.monitor"

        # - %n will be replaced with the first part of the nodename.
        # - %I will be replaced with the current child process index
        #   and is important when using the prefork pool to avoid race conditions.
        CELERYD_PID_FILE="__empty__"
        CELERYD_LOG_FILE="__empty__"
        CELERYD_LOG_LEVEL="INFO"

        # PID and LOG directories will be created if missing
        CELERY_CREATE_DIRS=1

        """;

    /// <summary>Rewrites the template line by line as 0.7's write_terminus_config() does: Celery lines rewritten, every other line holding a key becomes KEY="value".</summary>
    public static string Written(TerminusHome home, string host, int nodes, int concurrency, string useSlurm = "1")
    {
        var values = new Dictionary<string, string>
        {
            ["TERMINUS_HOSTNAME"] = host,
            ["TERMINUS_DOT_DIR"] = home.DotDir,
            ["TERMINUS_DATA_DIR"] = home.DataDir,
            ["TERMINUS_JOB_DIR"] = home.JobDir,
            ["TERMINUS_ROOT"] = "/usr/local/lib/python3.8/site-packages/Terminus",
            ["TERMINUS_SERVICE_DIR"] = home.ServiceDir,
            ["GALACSTORAGE_SSH_ALIAS"] = "Galactica_storage",
            ["TERMINUS_USE_SLURM"] = useSlurm,
            ["RABBITMQ_USERNAME"] = "terminus_anais",
            ["RABBITMQ_HOST"] = "132.166.10.20",
            ["RABBITMQ_PORT"] = "5672",
            ["RABBITMQ_VIRTUAL_HOST"] = "galactica",
        };
        string nodeList = string.Join(' ', Enumerable.Range(1, nodes).Select(i => $"job_worker{i}@{host}.terminus")) + $" monitor@{host}.terminus";
        var lines = Template.Split('\n').Select(line => line switch
        {
            _ when line.StartsWith('#') => line,
            _ when line.Contains("CELERYD_PID_FILE") => $"CELERYD_PID_FILE={home.DotDir}/pids/%n.pid",
            _ when line.Contains("CELERYD_LOG_FILE") => $"CELERYD_LOG_FILE={home.DotDir}/logs/%n.log",
            _ when line.Contains("CELERY_BIN") => "CELERY_BIN=\"/usr/local/bin/celery\"",
            _ when line.Contains("CELERYD_NODES") => $"CELERYD_NODES={nodeList}",
            _ when line.Contains("CELERYD_OPTS") =>
                $"CELERYD_OPTS=\"--concurrency={concurrency} -Q {host}.terminus_jobs -c:{nodes + 1} 1 -Q:{nodes + 1} {host}.monitor\"",
            _ => values.Keys.FirstOrDefault(k => line.Contains(k)) is { } key ? $"{key}=\"{values[key]}\"" : line,
        });
        return string.Join('\n', lines);
    }
}
