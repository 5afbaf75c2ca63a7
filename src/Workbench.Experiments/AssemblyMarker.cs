namespace Workbench; internal static class AssemblyMarkerExperiments { }
