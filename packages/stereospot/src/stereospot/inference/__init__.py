"""Implementations of the Inference port: in-process, HTTP (the SageMaker container
contract) and a SageMaker asynchronous endpoint."""
