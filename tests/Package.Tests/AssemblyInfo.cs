// The package is a linux-x64 custom handler; these tests start it, so they run on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
