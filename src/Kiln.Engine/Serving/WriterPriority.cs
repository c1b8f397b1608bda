using System.Runtime.InteropServices;

namespace Kiln.Engine.Serving;

/// <summary>
/// The scheduling priority of the calling thread on Linux, as its nice value (0 normal, 19 lowest). A thread with a higher
/// nice value than the threads answering requests gets the CPU they leave idle, and little of what they use when they
/// are busy (Linux's scheduler weighs a nice 10 thread at a tenth of a nice 0 one). .NET's own <c>Thread.Priority</c> does
/// nothing on Linux; on other systems this does nothing either.
/// </summary>
internal static partial class WriterPriority
{
    /// <summary>Sets the calling thread's nice value; false where the system does not allow it (or is not Linux).</summary>
    public static bool TrySet(int nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            return SetPriority(0 /* PRIO_PROCESS: with a thread id, that thread */, GetThreadId(), nice) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The calling thread's id as the kernel knows it (the folder under <c>/proc/self/task</c>), or 0 off Linux.</summary>
    public static int CurrentThreadId() => OperatingSystem.IsLinux() ? GetThreadId() : 0;

    /// <summary>The CPU time the calling thread has used, in <see cref="System.Diagnostics.Stopwatch"/> ticks (0 off Linux).</summary>
    public static long ThreadCpuTicks()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        try
        {
            return ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var time) == 0
                ? (long)((time.Seconds + (time.Nanoseconds / 1e9)) * System.Diagnostics.Stopwatch.Frequency)
                : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
