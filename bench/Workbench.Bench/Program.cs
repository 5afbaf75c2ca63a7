if (args.Length > 0 && args[0] == "shap") return Workbench.Bench.ShapThroughput.Run(args[1..]);
System.Console.WriteLine("bench");
return 0;
