#!/usr/bin/env node
import 'reflect-metadata';
import { runCli } from './cli.js';

await runCli(process.argv);
