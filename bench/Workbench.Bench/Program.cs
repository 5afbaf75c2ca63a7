if (args.Length > 0 && args[0] == "data-io") return Workbench.Bench.DataIoBench.Run(args[1..]);
System.Console.WriteLine("bench");
return 0;
