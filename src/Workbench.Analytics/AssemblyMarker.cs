namespace Workbench; internal static class AssemblyMarkerAnalytics { }
