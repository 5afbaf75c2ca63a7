namespace Workbench; internal static class AssemblyMarkerNotebooks { }
