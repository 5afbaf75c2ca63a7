if (args.Length > 0 && args[0] == "generate") return Workbench.Bench.GeneratorBench.Run(args[1..]);
System.Console.WriteLine("bench");
return 0;
