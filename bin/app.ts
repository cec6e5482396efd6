#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addComplianceGates } from './compliance-gates';
import { buildReferenceApp } from './reference-app';

const app = new App();
addComplianceGates(app);
buildReferenceApp(app);
app.synth();
