namespace Workbench; internal static class AssemblyMarkerReporting { }
