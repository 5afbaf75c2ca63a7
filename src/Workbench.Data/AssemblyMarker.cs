namespace Workbench; internal static class AssemblyMarkerData { }
