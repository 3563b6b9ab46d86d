/**
 * JMH microbenchmarks of the protocol core's hot paths: frame headers, masking, UTF-8,
 * message assembly, and permessage-deflate next to Netty's codec ({@code DeflateBenchmark}).
 * Run with {@code duplex-benchmarks/run-micro.sh} (see docs/BENCHMARKS.md). A new hot path
 * gets a class here, with the obvious alternative or the ceiling measured beside it.
 */
package dev.duplex.benchmarks.micro;
