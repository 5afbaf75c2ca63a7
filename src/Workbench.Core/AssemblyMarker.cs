namespace Workbench; internal static class AssemblyMarkerCore { }
